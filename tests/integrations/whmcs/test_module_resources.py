"""``whmcs.services``, ``.invoices``, ``.orders``, ``.tickets``, ``.domains``: what is sent to
WHMCS (paging as limitstart/limitnum, clientid versus userid, ignore_dept_assignments), what comes
back, and not found."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from integrations.whmcs.client import WhmcsClient
from integrations.whmcs.entities import WhmcsPage
from integrations.whmcs.errors import WhmcsNotFoundError, WhmcsProtocolError, classify_message
from integrations.whmcs.redact import REDACTED, is_sensitive_key
from tests.integrations.whmcs.conftest import Observed
from tests.support.fake_whmcs import IDENTIFIER, SECRET, FakeWhmcs
from tests.support.whmcs_bodies import clients_details_8x, error
from tests.support.whmcs_module_bodies import (
    SERVICE_PASSWORD,
    TICKET_ACCESS_KEY,
    clients_domains,
    clients_products,
    domain_row,
    invoice_body,
    invoice_row,
    invoices,
    order_row,
    orders,
    product_row,
    ticket_body,
    ticket_row,
    tickets,
)

AUTH = {"responsetype": "json", "identifier": IDENTIFIER, "secret": SECRET}

Lister = Callable[..., Awaitable[WhmcsPage[Any]]]


def lister(whmcs: WhmcsClient, module: str) -> Lister:
    resource = getattr(whmcs, module)
    return resource.list  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Case:
    """One list: its resource, its action, the client filter's name, the fixed extra parameters,
    a one-row answer (given total and start) and an empty one."""

    module: str
    action: str
    client_key: str
    extra: dict[str, str]
    one: Callable[..., dict[str, Any]]
    empty: dict[str, Any]


LISTS = [
    Case(
        "services",
        "GetClientsProducts",
        "clientid",
        {},
        lambda total, start: clients_products(
            [product_row(7, 3)], client_id=3, total=total, start=start
        ),
        clients_products([], client_id=3),
    ),
    Case(
        "invoices",
        "GetInvoices",
        "userid",
        {"orderby": "id", "order": "desc"},
        lambda total, start: invoices([invoice_row(7, 3)], total=total, start=start),
        invoices([]),
    ),
    Case(
        "orders",
        "GetOrders",
        "userid",
        {},
        lambda total, start: orders([order_row(7, 3)], total=total, start=start),
        orders([]),
    ),
    Case(
        "tickets",
        "GetTickets",
        "clientid",
        {"ignore_dept_assignments": "1"},
        lambda total, start: tickets([ticket_row(7, 3)], total=total, start=start),
        tickets([]),
    ),
    Case(
        "domains",
        "GetClientsDomains",
        "clientid",
        {},
        lambda total, start: clients_domains(
            [domain_row(7, 3)], client_id=3, total=total, start=start
        ),
        clients_domains([], client_id=3),
    ),
]
IDS = [case.module for case in LISTS]


@pytest.fixture(params=LISTS, ids=IDS)
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


async def test_list_sends_the_client_filter_and_paging(
    case: Case, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply(case.action, case.one(total=41, start=40))

    page = await lister(whmcs, case.module)(3, offset=40, limit=20)

    assert fake_whmcs.calls == [
        {
            "action": case.action,
            **AUTH,
            case.client_key: "3",
            **case.extra,
            "limitstart": "40",
            "limitnum": "20",
        }
    ]
    assert (page.total, page.offset) == (41, 40)
    assert [item.id for item in page.items] == [7]
    assert page.items[0].client_id == 3


async def test_list_defaults_are_the_first_page_of_25(
    case: Case, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply(case.action, case.one(total=1, start=0))

    await lister(whmcs, case.module)(3)

    assert fake_whmcs.calls[0]["limitstart"] == "0"
    assert fake_whmcs.calls[0]["limitnum"] == "25"


async def test_an_empty_list_of_an_existing_client_asks_once_whether_it_exists(
    case: Case, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply(case.action, case.empty)
    fake_whmcs.reply("GetClientsDetails", clients_details_8x(3, "three@example.com"))

    page = await lister(whmcs, case.module)(3)

    assert (page.items, page.total) == ((), 0)
    assert fake_whmcs.actions == [case.action, "GetClientsDetails"]
    assert fake_whmcs.calls[1]["clientid"] == "3"


async def test_list_of_a_client_that_does_not_exist_is_not_found(
    case: Case, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    # WHMCS lists nothing, without an error, for a client that does not exist.
    fake_whmcs.reply(case.action, case.empty)
    fake_whmcs.reply("GetClientsDetails", error("Client Not Found"))

    with pytest.raises(WhmcsNotFoundError) as info:
        await lister(whmcs, case.module)(404)

    assert info.value.entity == "client"
    assert info.value.action == "GetClientsDetails"


async def test_a_page_past_the_end_does_not_ask_about_the_client(
    case: Case, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    body = {**case.empty, "totalresults": 3, "startnumber": 50}
    fake_whmcs.reply(case.action, body)

    page = await lister(whmcs, case.module)(3, offset=50)

    assert (page.items, page.total, page.offset) == ((), 3, 50)
    assert fake_whmcs.actions == [case.action]


@pytest.mark.parametrize("module", IDS)
@pytest.mark.parametrize("client_id", [0, -1, True])
async def test_list_never_sends_a_client_id_below_1(
    module: str, client_id: int, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    # clientid=0 is "no filter" to WHMCS: every client's records would come back.
    with pytest.raises(ValueError, match="client_id"):
        await lister(whmcs, module)(client_id)

    assert fake_whmcs.calls == []


@pytest.mark.parametrize("module", IDS)
@pytest.mark.parametrize(("offset", "limit"), [(-1, 25), (0, 0)])
async def test_list_rejects_bad_paging(
    module: str, offset: int, limit: int, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    with pytest.raises(ValueError, match="offset"):
        await lister(whmcs, module)(3, offset=offset, limit=limit)

    assert fake_whmcs.calls == []


async def test_list_with_a_malformed_row_is_a_protocol_error(
    case: Case, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    body = case.one(total=1, start=0)
    container = next(k for k, v in body.items() if isinstance(v, dict))
    row = next(iter(body[container].values()))[0]
    row["id"] = "not an id"
    fake_whmcs.reply(case.action, body)

    with pytest.raises(WhmcsProtocolError, match="unexpected shape") as info:
        await lister(whmcs, case.module)(3)

    assert info.value.action == case.action
    assert info.value.outcome_unknown is False


@pytest.mark.parametrize(
    ("module", "action", "status"),
    [
        ("invoices", "GetInvoices", "Overdue"),
        ("orders", "GetOrders", "Pending"),
        ("tickets", "GetTickets", "Open"),
    ],
)
async def test_list_status_filter_is_sent_as_given(
    module: str, action: str, status: str, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply(action, {"result": "success", "totalresults": 5, "startnumber": 0})

    await lister(whmcs, module)(3, status=status)

    assert fake_whmcs.calls[0]["status"] == status


async def test_services_list_values_and_the_password_never_leaves(
    whmcs: WhmcsClient,
    fake_whmcs: FakeWhmcs,
    observed: Observed,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_whmcs.reply("GetClientsProducts", clients_products([product_row(7, 3)], client_id=3))

    page = await whmcs.services.list(3)

    service = page.items[0]
    assert service.recurring_amount == Decimal("12.95")
    assert str(service.recurring_amount) == "12.95"
    assert (service.dedicated_ip, service.suspension_reason) == (None, None)
    # The decrypted password WHMCS sends reaches no record, log line or audit data.
    (record,) = observed.records
    assert record.response is not None
    assert record.response["products"]["product"][0]["password"] == REDACTED
    for where in (repr(page), caplog.text, json.dumps(record.response), repr(record)):
        assert SERVICE_PASSWORD not in where


async def test_invoice_get(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply("GetInvoice", invoice_body(12))

    detail = await whmcs.invoices.get(12)

    assert fake_whmcs.calls == [{"action": "GetInvoice", **AUTH, "invoiceid": "12"}]
    assert detail.invoice.id == 12
    assert str(detail.balance) == "15.95"
    assert [line.amount for line in detail.lines] == [Decimal("15.95")]
    assert detail.payments == ()


async def test_invoice_get_not_found(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply("GetInvoice", error("Invoice ID Not Found"))

    with pytest.raises(WhmcsNotFoundError) as info:
        await whmcs.invoices.get(404)

    assert info.value.entity == "invoice"


async def test_ticket_get_always_ignores_department_assignments(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs, observed: Observed
) -> None:
    fake_whmcs.reply("GetTicket", ticket_body(5))

    detail = await whmcs.tickets.get(5)

    assert fake_whmcs.calls == [
        {
            "action": "GetTicket",
            **AUTH,
            "ticketid": "5",
            "repliessort": "ASC",
            "ignore_dept_assignments": "1",
        }
    ]
    assert [m.id for m in detail.messages] == [0, 1]
    # The ticket's access key opens it without a login: it is redacted in the audit data.
    (record,) = observed.records
    assert record.response is not None
    assert record.response["c"] == REDACTED
    assert TICKET_ACCESS_KEY not in json.dumps(record.response) + repr(detail)


@pytest.mark.parametrize("message", ["Ticket ID Not Found", "Ticket ID not found"])
async def test_ticket_get_not_found(
    message: str, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("GetTicket", error(message))

    with pytest.raises(WhmcsNotFoundError) as info:
        await whmcs.tickets.get(404)

    assert info.value.entity == "ticket"


@pytest.mark.parametrize("get", ["invoices", "tickets"])
async def test_get_never_sends_an_id_below_1(
    get: str, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    with pytest.raises(ValueError, match="_id"):
        await getattr(whmcs, get).get(0)

    assert fake_whmcs.calls == []


@pytest.mark.parametrize(
    ("get", "action", "body"),
    [
        ("invoices", "GetInvoice", invoice_body(balance="$1.00")),
        ("tickets", "GetTicket", ticket_body(date="yesterday")),
    ],
)
async def test_get_with_a_malformed_answer_is_a_protocol_error(
    get: str, action: str, body: dict[str, Any], whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply(action, body)

    with pytest.raises(WhmcsProtocolError, match="unexpected shape"):
        await getattr(whmcs, get).get(1)


@pytest.mark.parametrize(
    ("message", "entity"),
    [
        ("Client Not Found", "client"),  # GetClientsDetails
        ("Client ID Not Found", "client"),  # UpdateClient, DeleteClient
        ("Invoice ID Not Found", "invoice"),  # GetInvoice, AddInvoicePayment
        ("Ticket ID Not Found", "ticket"),
        ("Ticket ID not found", "ticket"),  # AddTicketNote's spelling
        ("Service ID Not Found", "service"),
        ("Order ID not found or Status not Pending", "order"),
        ("Not Found", None),
    ],
)
def test_not_found_messages_name_their_entity(message: str, entity: str | None) -> None:
    exc = classify_message(200, message, "GetX")

    assert isinstance(exc, WhmcsNotFoundError)
    assert exc.entity == entity
    assert exc.whmcs_message == message


@pytest.mark.parametrize("key", ["c", "rootpw", "password", "transfersecret"])
def test_module_secrets_are_sensitive_keys(key: str) -> None:
    assert is_sensitive_key(key)
