"""Property tests: whatever shape WHMCS answers GetClients, GetClientsDetails or AddClient with,
the resource layer ends in a typed record or a ``WhmcsProtocolError`` naming the action and the
field, never in another exception (KeyError, TypeError, ValueError...).

The strategies generate every shape whmcs-api.md section 5 describes (ids and counts as ints or
numeric strings, lists as ``""``, ``{}``, ``[]``, missing, wrapped, a single object or a
numeric-keyed object, zero dates) and then everything around them: junk of every JSON type,
nulls, unicode digits and text, huge numbers, extra keys.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import aiohttp
from aioresponses import aioresponses
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import models
from integrations.whmcs.client import CallRecord, WhmcsClient
from integrations.whmcs.errors import WhmcsProtocolError
from integrations.whmcs.normalise import WhmcsShapeError
from integrations.whmcs.records import WhmcsClientPage, WhmcsClientRecord
from integrations.whmcs.resources import ClientsResource, Params
from integrations.whmcs.sync.audit import Audit
from tests.support.fake_whmcs import BASE_URL, IDENTIFIER, SECRET, FakeWhmcs, RecordingSleep

FUZZ = settings(
    # FUZZ_EXAMPLES=20000 for a longer hunt; `make test` runs 200 per property.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")),
    deadline=None,
    database=None,  # nothing written into the work tree; a failure prints its reproduction
    suppress_health_check=[HealthCheck.too_slow],
)

MISSING: Any = object()  # a key left out of the answer altogether

# --- strategies -------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # WHMCS's PHP can send NaN/INF through json_encode's partial-output mode
    st.text(max_size=12),
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)
unicode_digits = st.text(
    alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6
)
# Keys for which str.isdigit() holds: ASCII, other scripts' digits, superscripts, circled digits.
digit_keys = st.text(
    alphabet=st.characters(categories=["Nd", "No"]).filter(str.isdigit), min_size=1, max_size=3
)

ids = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63),
    st.integers(min_value=0, max_value=10**12).map(str),
    st.integers(min_value=0, max_value=10**6).map(lambda n: f" {n}\t"),
    unicode_digits,
    st.integers(min_value=4290, max_value=4400).map(lambda n: "9" * n),  # past int()'s limit
    st.sampled_from(["", "0", "-0", "12abc", "4.5", "1e3", "0x1F", "+7", "٤٢", "²"]),
    json_values,
)
texts = st.one_of(
    st.text(max_size=20),
    st.just(""),
    st.none(),
    st.integers(),
    st.floats(),
    json_values,
)
dates = st.one_of(
    st.dates().map(date.isoformat),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.sampled_from(["0000-00-00", "0000-00-00 00:00:00", "", " ", "2021-02-30", "2021-13-01"]),
    st.sampled_from(["0000-01-01", "9999-12-31 23:59:59", "15/01/2016", "2016-1-5", "today"]),
    st.tuples(unicode_digits, unicode_digits, unicode_digits).map("-".join),
    texts,
)
extra_keys = st.dictionaries(st.text(max_size=10), json_values, max_size=3)

ROW_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "id": ids,
    "client_id": ids,
    "userid": ids,
    "firstname": texts,
    "lastname": texts,
    "email": st.one_of(st.emails(), texts),
    "companyname": texts,
    "status": st.one_of(st.sampled_from(["Active", "Inactive", "Closed"]), texts),
    "datecreated": dates,
    "groupid": ids,
    "phonenumber": texts,
    "address1": texts,
    "address2": texts,
    "city": texts,
    "state": texts,
    "postcode": texts,
    "country": texts,
    "countrycode": texts,
}


@st.composite
def client_rows(draw: st.DrawFn) -> dict[str, Any]:
    """One client object: any subset of the known keys with any values, plus unknown keys."""
    row = draw(extra_keys)
    row.update(draw(st.fixed_dictionaries({}, optional=ROW_FIELDS)))
    return row


@st.composite
def client_lists(draw: st.DrawFn) -> Any:
    """The ``clients`` value of a GetClients answer, in every shape WHMCS is known to use and
    several it is not."""
    row = client_rows() | json_values
    inner = draw(
        st.one_of(
            st.lists(row, max_size=4),  # a list
            row,  # a single object
            st.dictionaries(st.integers(0, 99).map(str), row, min_size=1, max_size=4),
            st.dictionaries(digit_keys, row, min_size=1, max_size=4),  # ²: isdigit, not int
            st.sampled_from(["", {}, [], None]),
            json_values,
        )
    )
    return draw(
        st.one_of(
            st.just({"client": inner}),  # the documented wrapper
            st.just(inner),  # unwrapped
            st.just({"clients": inner}),  # the wrong wrapper
            st.sampled_from(["", {}, [], MISSING]),
        )
    )


def _with(body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body.update({k: v for k, v in fields.items() if v is not MISSING})
    return body


@st.composite
def get_clients_answers(draw: st.DrawFn) -> dict[str, Any]:
    return _with(
        draw(extra_keys),
        totalresults=draw(ids | st.just(MISSING)),
        startnumber=draw(ids | st.just(MISSING)),
        numreturned=draw(ids | st.just(MISSING)),
        clients=draw(client_lists()),
        result="success",
    )


@st.composite
def get_clients_details_answers(draw: st.DrawFn) -> dict[str, Any]:
    """8.x (nested ``client`` and flattened copy), 7.x (flattened only) and mixtures."""
    body = draw(client_rows())
    nested = draw(st.one_of(client_rows(), json_values, st.just(MISSING)))
    return _with(body, client=nested, result="success")


@st.composite
def add_client_answers(draw: st.DrawFn) -> dict[str, Any]:
    return _with(
        draw(extra_keys),
        clientid=draw(ids | st.just(MISSING)),
        owner_id=draw(ids | st.just(MISSING)),
        result="success",
    )


# --- what every answer must end in -----------------------------------------------------------


class StubWhmcs:
    """A :class:`~integrations.whmcs.resources.Caller` that answers with one fixed body."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.actions: list[str] = []

    async def call(self, action: str, params: Params | None = None) -> dict[str, Any]:
        self.actions.append(action)
        return copy.deepcopy(self.body)


def assert_typed_record(record: object) -> None:
    assert isinstance(record, WhmcsClientRecord)
    assert type(record.id) is int
    for name in ("first_name", "last_name", "email"):
        assert type(getattr(record, name)) is str, name
    assert record.created_on is None or type(record.created_on) is date
    for name, value in record.whmcs_fields().items():
        assert value is None or type(value) is str, name


def assert_protocol_error(exc: BaseException, action: str) -> None:
    """Only WhmcsProtocolError is allowed, and it names the action and the field."""
    assert isinstance(exc, WhmcsProtocolError), f"{type(exc).__name__}: {exc}"
    assert exc.action == action
    assert action in exc.message
    cause = exc.__cause__
    assert isinstance(cause, WhmcsShapeError), repr(cause)
    assert cause.field
    assert cause.field in exc.message
    assert exc.outcome_unknown is (action == "AddClient")


async def outcome(
    action: str, run: Callable[[], Awaitable[object]], check: Callable[[object], None]
) -> str:
    try:
        result = await run()
    except Exception as exc:  # the property: which exception, never whether
        assert_protocol_error(exc, action)
        return "refused"
    check(result)
    return "parsed"


def check_page(page: object) -> None:
    assert isinstance(page, WhmcsClientPage)
    assert type(page.total) is int
    assert type(page.offset) is int
    assert isinstance(page.items, tuple)
    for record in page.items:
        assert_typed_record(record)


def check_client_id(client_id: object) -> None:
    assert type(client_id) is int


def check_found(record: object) -> None:
    if record is not None:
        assert_typed_record(record)


# --- the resource layer over a stub caller ---------------------------------------------------


# Crashes this file found, kept as fixed examples.
SUPERSCRIPT_KEYS = {  # "²".isdigit() holds but int("²") raises ValueError
    "result": "success",
    "totalresults": 1,
    "clients": {"client": {"²": {"id": 1, "email": "a@example.com"}}},
}
TOO_MANY_DIGITS = {  # int() refuses more than 4300 digits with a ValueError
    "result": "success",
    "totalresults": "9" * 4301,
    "clients": "",
}


@FUZZ
@given(body=get_clients_answers())
@example(body=SUPERSCRIPT_KEYS)
@example(body=TOO_MANY_DIGITS)
async def test_search_ends_in_a_page_or_a_protocol_error(body: dict[str, Any]) -> None:
    stub = StubWhmcs(body)
    await outcome("GetClients", lambda: ClientsResource(stub).search(), check_page)
    assert stub.actions == ["GetClients"]


@FUZZ
@given(body=get_clients_details_answers(), client_id=st.integers(1, 10**6))
async def test_get_ends_in_a_record_or_a_protocol_error(
    body: dict[str, Any], client_id: int
) -> None:
    stub = StubWhmcs(body)
    await outcome(
        "GetClientsDetails", lambda: ClientsResource(stub).get(client_id), assert_typed_record
    )
    assert stub.actions == ["GetClientsDetails"]


@FUZZ
@given(body=add_client_answers())
async def test_add_ends_in_an_id_or_a_protocol_error(body: dict[str, Any]) -> None:
    stub = StubWhmcs(body)
    fields = {"firstname": "Ana", "lastname": "Ruiz", "email": "ana@example.org"}
    await outcome(
        "AddClient", lambda: ClientsResource(stub).add(fields, password2="x"), check_client_id
    )
    assert stub.actions == ["AddClient"]


IGNORES_PAGING = {
    "result": "success",
    "totalresults": "1000000",
    "clients": {"client": [{"id": 1, "email": "b@example.com"}]},
}


@FUZZ
@given(body=get_clients_answers())
@example(body=IGNORES_PAGING)
async def test_find_by_email_ends_in_a_record_none_or_a_protocol_error(
    body: dict[str, Any],
) -> None:
    # The stub answers every page with the same body, as a WHMCS that ignores limitstart would:
    # find_by_email stops at the first repeated page whatever totalresults says.
    stub = StubWhmcs(body)
    await outcome(
        "GetClients", lambda: ClientsResource(stub).find_by_email("a@example.com"), check_found
    )
    assert 1 <= len(stub.actions) <= 2


# --- well-formed answers are never refused ----------------------------------------------------

valid_ids = st.integers(1, 10**9).flatmap(lambda n: st.sampled_from([n, str(n), f" {n} "]))
valid_texts = st.text(max_size=20) | st.none()
valid_dates = st.one_of(
    st.dates(min_value=date(1, 1, 1)).map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.sampled_from(["0000-00-00", "0000-00-00 00:00:00", ""]),
    st.none(),
)


@st.composite
def valid_rows(draw: st.DrawFn) -> dict[str, Any]:
    extra = draw(extra_keys)
    row: dict[str, Any] = {k: v for k, v in extra.items() if k not in ROW_FIELDS}
    row.update(
        id=draw(valid_ids),
        email=draw(st.emails()),
        firstname=draw(valid_texts),
        lastname=draw(valid_texts),
        companyname=draw(valid_texts),
        datecreated=draw(valid_dates),
    )
    return row


@FUZZ
@given(
    rows=st.lists(valid_rows(), max_size=4),
    shape=st.sampled_from(["list", "single", "numeric", "bare", "bare-numeric"]),
    total=st.integers(0, 10**6).flatmap(lambda n: st.sampled_from([n, str(n)])),
)
async def test_every_documented_list_shape_parses(
    rows: list[dict[str, Any]], shape: str, total: int | str
) -> None:
    if shape == "single":
        rows = rows[:1]
    numeric = {str(i): row for i, row in enumerate(rows)}
    clients: Any = {
        "list": {"client": rows},
        "single": {"client": rows[0]} if rows else "",
        "numeric": {"client": numeric},
        "bare": rows,
        "bare-numeric": numeric,
    }[shape]
    body = {"result": "success", "totalresults": total, "clients": clients}

    page = await ClientsResource(StubWhmcs(body)).search()

    assert page.total == int(total)
    assert [record.id for record in page.items] == [int(str(row["id"])) for row in rows]
    assert [record.email for record in page.items] == [row["email"] for row in rows]


# --- the whole client: JSON over a fake transport ---------------------------------------------


async def run_over_http(action: str, body: dict[str, Any]) -> str:
    """Answer ``action`` with ``body`` as JSON through aiohttp and the real client."""
    with aioresponses() as mocked:
        fake = FakeWhmcs(mocked)
        fake.reply(action, body)
        async with aiohttp.ClientSession() as session:
            whmcs = WhmcsClient(
                api_url=BASE_URL,
                identifier=IDENTIFIER,
                secret=SECRET,
                session=session,
                sleep=RecordingSleep(),
            )
            calls: dict[str, tuple[Callable[[], Awaitable[object]], Callable[[object], None]]] = {
                "GetClients": (whmcs.clients.search, check_page),
                "GetClientsDetails": (lambda: whmcs.clients.get(7), assert_typed_record),
                "AddClient": (
                    lambda: whmcs.clients.add({"email": "a@example.com"}, password2="x"),
                    check_client_id,
                ),
            }
            run_call, check = calls[action]
            result = await outcome(action, run_call, check)
        fake.assert_all_used()
        return result


def _serialisable(body: dict[str, Any]) -> bool:
    try:
        json.dumps(body)
    except ValueError:  # an int past int()'s digit limit cannot be written as JSON either
        return False
    return True


@FUZZ
@given(
    answer=st.one_of(
        get_clients_answers().map(lambda b: ("GetClients", b)),
        get_clients_details_answers().map(lambda b: ("GetClientsDetails", b)),
        add_client_answers().map(lambda b: ("AddClient", b)),
    )
)
async def test_the_client_over_http_ends_in_a_record_or_a_protocol_error(
    answer: tuple[str, dict[str, Any]],
) -> None:
    action, body = answer
    if not _serialisable(body):
        return
    assert await run_over_http(action, body) in ("parsed", "refused")


# --- the audit row of an AddClient answer -----------------------------------------------------

audit_client_ids = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63),
    st.integers(min_value=0, max_value=10**12).map(str),
    unicode_digits,
    st.integers(min_value=4290, max_value=4400).map(lambda n: "9" * n),
    st.sampled_from(["", " 42 ", "²", "2147483647", "2147483648", "-3"]),
    st.text(max_size=12),
    st.none(),
    st.booleans(),
)


@settings(
    FUZZ,
    max_examples=min(FUZZ.max_examples, 50),  # each one writes a row
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    clientid=audit_client_ids,
    extra=st.dictionaries(
        st.text(max_size=6), st.text(max_size=8) | st.integers(-(2**31), 2**31) | st.none()
    ),
)
@example(clientid="42", extra={"na\x00me": "NUL\x00"})
async def test_the_audit_row_of_any_add_client_answer_is_written(
    db: str, clientid: Any, extra: dict[str, Any]
) -> None:
    # The observer sees the answer before the resource parses it: a "²" made it a ValueError,
    # and a NUL anywhere in it an OperationalError on PostgreSQL (text and jsonb refuse NUL).
    audit = Audit(operation=models.SyncOperation.PUSH, correlation_id="fuzz-audit")
    answer = {**extra, "result": "success", "clientid": clientid}
    await audit.observe(
        CallRecord(
            action="AddClient",
            params={},
            status=200,
            response=answer,
            error=None,
            duration_ms=1,
            attempts=1,
        )
    )

    row = await models.SyncLog.filter(correlation_id="fuzz-audit").order_by("-id").first()
    assert row is not None
    assert row.whmcs_action == "AddClient"
    text = str(clientid).strip()
    an_id = text.isascii() and text.isdigit() and len(text) <= 10 and int(text) < 2**31
    if isinstance(clientid, int | str) and an_id:
        assert row.whmcs_id == int(text)
    else:
        assert row.whmcs_id is None
