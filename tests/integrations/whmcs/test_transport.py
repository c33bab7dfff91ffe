"""What the transport sends, how it reads successful answers, and what it tells observers."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from aioresponses import aioresponses

from integrations.whmcs.client import CallRecord, WhmcsClient, api_endpoint, encode_params
from integrations.whmcs.errors import WhmcsError, WhmcsNotFoundError, WhmcsProtocolError
from integrations.whmcs.redact import REDACTED, redact
from tests.integrations.whmcs.conftest import Observed
from tests.support.fake_whmcs import BASE_URL, ENDPOINT, IDENTIFIER, SECRET, FakeWhmcs

SUCCESS = {"result": "success", "totalresults": 0, "startnumber": 0, "clients": ""}


async def test_form_carries_action_json_and_credentials(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("GetClients", SUCCESS)

    body = await whmcs.call("GetClients", {"limitstart": 25, "limitnum": 50, "search": "bob"})

    assert body == SUCCESS
    assert fake_whmcs.calls == [
        {
            "action": "GetClients",
            "responsetype": "json",
            "identifier": IDENTIFIER,
            "secret": SECRET,
            "limitstart": "25",
            "limitnum": "50",
            "search": "bob",
        }
    ]


async def test_access_key_is_sent_only_when_configured(
    session: aiohttp.ClientSession, mocked: aioresponses
) -> None:
    fake = FakeWhmcs(mocked, access_key="k!@#$%.()*[]-_")
    fake.reply("GetClients", SUCCESS)
    with_key = WhmcsClient(
        api_url=BASE_URL,
        identifier=IDENTIFIER,
        secret=SECRET,
        access_key="k!@#$%.()*[]-_",
        session=session,
    )

    await with_key.call("GetClients")

    assert fake.calls[0]["accesskey"] == "k!@#$%.()*[]-_"


async def test_no_access_key_field_without_one(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply("GetClients", SUCCESS)

    await whmcs.call("GetClients")

    assert "accesskey" not in fake_whmcs.calls[0]


async def test_params_are_encoded_booleans_as_1_and_0_none_dropped(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("AddClient", {"result": "success", "clientid": "7"})

    await whmcs.call(
        "AddClient",
        {"noemail": True, "skipvalidation": False, "currency": 2, "notes": None, "city": ""},
    )

    sent = fake_whmcs.calls[0]
    assert sent["noemail"] == "1"
    assert sent["skipvalidation"] == "0"
    assert sent["currency"] == "2"
    assert sent["city"] == ""
    assert "notes" not in sent


@pytest.mark.parametrize(
    "key", ["action", "responsetype", "identifier", "secret", "accesskey", "username", "Password"]
)
async def test_callers_cannot_set_reserved_fields(
    key: str, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    with pytest.raises(ValueError, match=key):
        await whmcs.call("GetClients", {key: "x"})

    assert fake_whmcs.calls == []


def test_encode_params_without_params() -> None:
    assert encode_params(None) == {}
    assert encode_params({"a": 0, "b": False, "c": None}) == {"a": "0", "b": "0"}


@pytest.mark.parametrize(
    "body",
    [
        b'\xef\xbb\xbf{"result":"success","clientid":"42"}',  # UTF-8 BOM (pre-8 stray output)
        b'\xef\xbb\xbf\xef\xbb\xbf\r\n  {"result":"success","clientid":"42"}',
        b'\n\n{"result":"success","clientid":"42"}\n',
        '\ufeff{"result":"success","clientid":"42"}'.encode(),
    ],
)
async def test_bom_and_whitespace_before_json_are_ignored(
    body: bytes, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply_raw("AddClient", body, 200, "text/html")

    assert await whmcs.call("AddClient") == {"result": "success", "clientid": "42"}


async def test_json_is_parsed_whatever_the_content_type(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply_raw("GetClients", '{"result":"success","numreturned":0}', 200, "text/plain")

    assert await whmcs.call("GetClients") == {"result": "success", "numreturned": 0}


async def test_status_key_is_a_verdict_only_without_result(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    # GetClientsDetails has a client "status" next to "result".
    fake_whmcs.reply("GetClientsDetails", {"result": "success", "status": "Active"})
    fake_whmcs.reply("GetEmails", {"status": "success", "emails": ""})
    fake_whmcs.reply("GetClientsDetails", {"status": "Active", "id": 1})

    assert (await whmcs.call("GetClientsDetails"))["status"] == "Active"
    assert (await whmcs.call("GetEmails"))["emails"] == ""
    with pytest.raises(WhmcsProtocolError):
        await whmcs.call("GetClientsDetails")


async def test_error_body_is_read_on_4xx(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply("GetClientsDetails", {"result": "error", "message": "Client Not Found"}, 404)

    with pytest.raises(WhmcsNotFoundError) as info:
        await whmcs.call("GetClientsDetails", {"clientid": 9})

    assert info.value.whmcs_message == "Client Not Found"
    assert info.value.status == 404


async def test_observer_gets_a_redacted_record_of_a_success(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs, observed: Observed
) -> None:
    fake_whmcs.reply(
        "GetClientsProducts",
        {"result": "success", "products": {"product": [{"id": "1", "password": "svc-pass"}]}},
    )

    body = await whmcs.call("GetClientsProducts", {"clientid": 3, "password2": "pw"})

    assert body["products"]["product"][0]["password"] == "svc-pass"  # caller sees it all
    [record] = observed.records
    assert record.action == "GetClientsProducts"
    assert record.params == {"clientid": "3", "password2": REDACTED}
    assert record.status == 200
    assert record.response == {
        "result": "success",
        "products": {"product": [{"id": "1", "password": REDACTED}]},
    }
    assert record.error is None
    assert record.attempts == 1
    assert isinstance(record.duration_ms, int)
    assert record.duration_ms >= 0


async def test_observer_gets_the_body_of_a_failure_and_none_for_non_json(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs, observed: Observed
) -> None:
    fake_whmcs.reply("AddClient", {"result": "error", "message": "Valid country required"})
    fake_whmcs.reply_raw("UpdateClient", "<html>oops</html>", 403)

    for action in ("AddClient", "UpdateClient"):
        with pytest.raises(WhmcsError):
            await whmcs.call(action)

    first, second = observed.records
    assert first.response == {"result": "error", "message": "Valid country required"}
    assert first.status == 200
    assert first.error is not None
    assert first.error.whmcs_message == "Valid country required"
    assert second.response is None
    assert second.status == 403


async def test_with_observer_copies_share_the_transport(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs, observed: Observed
) -> None:
    other = Observed()
    copy = whmcs.with_observer(other)
    silent = whmcs.with_observer(None)
    fake_whmcs.reply("GetClients", SUCCESS, times=3)

    await copy.call("GetClients")
    await silent.call("GetClients")
    await whmcs.call("GetClients")

    assert [r.action for r in other.records] == ["GetClients"]
    assert len(observed.records) == 1  # only the original's own call
    assert copy._transport is whmcs._transport
    assert copy.clients.whmcs is copy


async def test_concurrent_calls_are_bounded(
    session: aiohttp.ClientSession, fake_whmcs: FakeWhmcs
) -> None:
    whmcs = WhmcsClient(
        api_url=BASE_URL, identifier=IDENTIFIER, secret=SECRET, session=session, max_concurrency=2
    )
    copy = whmcs.with_observer(None)
    fake_whmcs.reply("GetClients", SUCCESS, times=6, delay_s=0.02)

    await asyncio.gather(*(c.call("GetClients") for c in (whmcs, copy) * 3))

    assert len(fake_whmcs.calls) == 6
    assert fake_whmcs.max_in_flight == 2


async def test_unbounded_fake_sees_overlap(
    session: aiohttp.ClientSession, fake_whmcs: FakeWhmcs
) -> None:
    # Guards the test above: with room for all, the calls really do overlap.
    whmcs = WhmcsClient(
        api_url=BASE_URL, identifier=IDENTIFIER, secret=SECRET, session=session, max_concurrency=8
    )
    fake_whmcs.reply("GetClients", SUCCESS, times=4, delay_s=0.02)

    await asyncio.gather(*(whmcs.call("GetClients") for _ in range(4)))

    assert fake_whmcs.max_in_flight == 4


async def test_debug_log_is_one_line_without_form_or_payload(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_whmcs.reply("GetClients", {"result": "success", "marker": "payload-marker-123"})

    await whmcs.call("GetClients", {"search": "form-marker-456"})

    lines = [r.getMessage() for r in caplog.records if r.name == "integrations.whmcs.client"]
    assert len(lines) == 1
    assert lines[0].startswith("WHMCS GetClients -> HTTP 200 in ")
    assert lines[0].endswith("1 attempt(s)")
    for forbidden in (IDENTIFIER, SECRET, "form-marker-456", "payload-marker-123"):
        assert forbidden not in caplog.text


def test_repr_hides_credentials(session: aiohttp.ClientSession) -> None:
    whmcs = WhmcsClient(
        api_url="https://user:pw@billing.example.com/whmcs",
        identifier=IDENTIFIER,
        secret=SECRET,
        access_key="the-access-key",
        session=session,
    )

    text = repr(whmcs)

    assert text.startswith(
        "WhmcsClient(api_url='https://billing.example.com/whmcs/includes/api.php'"
    )
    for hidden in (IDENTIFIER, SECRET, "the-access-key", "user:pw"):
        assert hidden not in text


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"identifier": ""}, "identifier and secret"),
        ({"secret": ""}, "identifier and secret"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"read_retries": -1}, "read_retries"),
        ({"api_url": "billing.example.com"}, "WHMCS_API_URL"),
        ({"api_url": "ftp://billing.example.com"}, "WHMCS_API_URL"),
    ],
)
def test_constructor_rejects_bad_settings(
    kwargs: dict[str, object], match: str, session: aiohttp.ClientSession
) -> None:
    settings: dict[str, object] = {
        "api_url": BASE_URL,
        "identifier": IDENTIFIER,
        "secret": SECRET,
        "session": session,
        **kwargs,
    }
    with pytest.raises(ValueError, match=match) as info:
        WhmcsClient(**settings)  # type: ignore[arg-type]

    assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("https://billing.example.com", "https://billing.example.com/includes/api.php"),
        ("https://billing.example.com/", "https://billing.example.com/includes/api.php"),
        ("https://example.com/whmcs", "https://example.com/whmcs/includes/api.php"),
        ("https://example.com/whmcs///", "https://example.com/whmcs/includes/api.php"),
        ("  https://example.com/whmcs  ", "https://example.com/whmcs/includes/api.php"),
        (
            "https://example.com/whmcs/includes/api.php",
            "https://example.com/whmcs/includes/api.php",
        ),
        (
            "https://example.com/whmcs/includes/api.php/",
            "https://example.com/whmcs/includes/api.php",
        ),
        ("http://10.0.0.5:8080/billing", "http://10.0.0.5:8080/billing/includes/api.php"),
    ],
)
def test_api_endpoint(url: str, endpoint: str) -> None:
    assert api_endpoint(url) == endpoint


def test_the_client_posts_to_the_endpoint_of_its_base_url(
    session: aiohttp.ClientSession,
) -> None:
    whmcs = WhmcsClient(
        api_url=f"{BASE_URL}/", identifier=IDENTIFIER, secret=SECRET, session=session
    )

    assert whmcs._transport.url == ENDPOINT


def test_call_record_is_frozen() -> None:
    record = CallRecord("GetClients", {}, 200, {}, None, 1, 1)

    with pytest.raises(AttributeError):
        record.action = "x"  # type: ignore[misc]


async def test_the_audit_copy_of_a_record_is_the_record_redacted_again(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs, observed: Observed
) -> None:
    # CallRecord.storable_response makes the audit's copy straight from the answer (one walk):
    # it must be what redacting the record's own copy again gives, whichever is read first.
    answer = {
        "result": "success",
        "userid": "7",
        "amount": "1.50",
        "note": f"echo {SECRET} and pw-sent-123 and audit-only-9\x00",
        "products": {"product": [{"id": "1", "password": "svc-pass", "p": 2.5}]},
    }
    for _ in range(2):
        fake_whmcs.reply("GetClientsProducts", answer)
        await whmcs.call("GetClientsProducts", {"clientid": 3, "password2": "pw-sent-123"})

    def nul(text: str) -> str:
        return text.replace("\x00", "\ufffd")

    lazy, eager = observed.records
    assert eager.response is not None  # read first: the copy exists
    expected = redact(dict(eager.response), ("audit-only-9",), text=nul)
    assert lazy.storable_response(("audit-only-9",), nul) == expected
    assert eager.storable_response(("audit-only-9",), nul) == expected
    assert expected["note"] == f"echo {REDACTED} and {REDACTED} and {REDACTED}\ufffd"
    assert expected["products"]["product"][0] == {"id": "1", "password": REDACTED, "p": "2.5"}
    assert lazy.response_value("userid") == "7"
    assert lazy.response_value("missing") is None
    assert lazy.response == eager.response
    assert lazy == eager.__class__(
        eager.action, eager.params, eager.status, eager.response, None, lazy.duration_ms, 1
    )
    assert "svc-pass" not in repr(lazy)
    assert SECRET not in repr(lazy)
