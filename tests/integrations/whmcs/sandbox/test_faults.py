"""Injected failures, one test per kind, plus the outcome-unknown write."""

from __future__ import annotations

import json

import aiohttp
import pytest

from integrations.whmcs.sandbox import Fault, FaultKind

from .conftest import Api, client_form


async def test_delay_after_commit_creates_the_client_although_the_caller_timed_out(
    api: Api,
) -> None:
    state = api.sandbox.state
    state.faults.push(Fault("delay", action="AddClient", seconds=0.2, after_commit=True))

    with pytest.raises(TimeoutError):
        await api.call_within(0.05, "AddClient", **client_form())

    assert state.client_by_email("ada@example.net") is not None  # WHMCS did create it
    retry = await api.fails("AddClient", **client_form())
    assert retry == "A client already exists with that email address"


async def test_delay_before_commit_answers_late_but_normally(api: Api) -> None:
    api.sandbox.state.faults.push(Fault(FaultKind.DELAY, seconds=0.1))

    reply = await api.call_within(2, "WhmcsDetails")

    assert reply.json()["result"] == "success"


async def test_delay_before_commit_has_not_acted_when_the_caller_gives_up(api: Api) -> None:
    state = api.sandbox.state
    state.faults.push(Fault("delay", action="AddClient", seconds=0.3))

    with pytest.raises(TimeoutError):
        await api.call_within(0.05, "AddClient", **client_form())

    assert state.client_by_email("ada@example.net") is None


async def test_html_500_emitter_exception(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("html_500"))

    reply = await api.call("GetClients")

    assert (reply.status, reply.content_type) == (500, "text/html")
    assert (
        "Laminas\\HttpHandlerRunner\\Exception\\EmitterException: "
        "Output has been emitted previously; cannot emit response"
    ) in reply.text
    with pytest.raises(json.JSONDecodeError):
        reply.json()


async def test_html_500_after_commit_still_creates_the_client(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("html_500", action="AddClient", after_commit=True))

    reply = await api.call("AddClient", **client_form())

    assert reply.status == 500
    assert api.sandbox.state.client_by_email("ada@example.net") is not None


async def test_html_500_before_commit_creates_nothing(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("html_500", action="AddClient"))

    reply = await api.call("AddClient", **client_form())

    assert reply.status == 500
    assert api.sandbox.state.client_by_email("ada@example.net") is None


@pytest.mark.parametrize(("status", "expected"), [(None, 503), (200, 200)])
async def test_maintenance_page(api: Api, status: int | None, expected: int) -> None:
    api.sandbox.state.faults.push(Fault("maintenance", status=status))

    reply = await api.call("GetClients")

    assert (reply.status, reply.content_type) == (expected, "text/html")
    assert "Down for Maintenance" in reply.text


async def test_waf_403_is_html_not_whmcs_json(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("waf_403"))

    reply = await api.call("GetClients")

    assert (reply.status, reply.content_type) == (403, "text/html")
    assert "you have been blocked" in reply.text
    assert '"result"' not in reply.text


async def test_bom_prefixes_the_real_answer(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("bom"))

    reply = await api.call("WhmcsDetails")

    assert reply.raw.startswith(b"\xef\xbb\xbf{")
    with pytest.raises(json.JSONDecodeError, match="BOM"):
        json.loads(reply.text)  # what aiohttp's resp.json() does after decoding as utf-8
    assert json.loads(reply.raw.decode("utf-8-sig"))["whmcs"]["version"] == "8.13.3"


async def test_bom_on_a_write_still_writes(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("bom", action="AddClient"))

    reply = await api.call("AddClient", **client_form())

    assert json.loads(reply.raw.decode("utf-8-sig"))["clientid"] == "13"


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("invalid_ip", "Invalid IP 127.0.0.1"),
        ("auth_failed", "Authentication Failed"),
        ("permission_denied", 'Invalid Permissions: API action "getclients" is not allowed'),
    ],
)
async def test_forced_gate_errors(api: Api, kind: str, message: str) -> None:
    api.sandbox.state.faults.push(Fault(kind))

    reply = await api.call("GetClients")

    assert reply.status == 403
    assert reply.json() == {"result": "error", "message": message}


async def test_forced_invalid_ip_can_name_another_address(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("invalid_ip", message="Invalid IP 2405:201:abcd::1"))

    reply = await api.call("GetClients")

    assert reply.json()["message"] == "Invalid IP 2405:201:abcd::1"


async def test_forced_permission_denied_escapes_quotes(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("permission_denied"))

    reply = await api.call("GetClients")

    assert b"\\u0022getclients\\u0022" in reply.raw


async def test_drop_closes_the_connection(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("drop"))

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("GetClients")
    assert (await api.call("GetClients")).status == 200  # one-shot


async def test_drop_after_commit_leaves_the_client_created(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("drop", action="AddClient", after_commit=True))

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("AddClient", **client_form())

    assert api.sandbox.state.client_by_email("ada@example.net") is not None


async def test_custom_error(api: Api) -> None:
    api.sandbox.state.faults.push(
        Fault("error", message="Client Delete Failed: locked", status=200)
    )

    reply = await api.call("DeleteClient", clientid="2")

    assert (reply.status, reply.json()) == (
        200,
        {"result": "error", "message": "Client Delete Failed: locked"},
    )
    assert api.sandbox.state.get_client(2) is not None


async def test_custom_error_status(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("error", message="Rate Limit Exceeded", status=429))

    reply = await api.call("GetClients")

    assert (reply.status, reply.json()["message"]) == (429, "Rate Limit Exceeded")


async def test_raw_answer(api: Api) -> None:
    api.sandbox.state.faults.push(
        Fault("raw", status=502, body="<h1>Bad gateway</h1>", content_type="text/html")
    )

    reply = await api.call("GetClients")

    assert (reply.status, reply.content_type, reply.text) == (
        502,
        "text/html",
        "<h1>Bad gateway</h1>",
    )


async def test_action_filter_and_times(api: Api) -> None:
    faults = api.sandbox.state.faults
    faults.push(Fault("html_500", action="getclients", times=2))

    details = await api.call("GetClientsDetails", clientid="2")
    first, second, third = [await api.call("GetClients") for _ in range(3)]

    assert details.status == 200
    assert (first.status, second.status, third.status) == (500, 500, 200)
    assert len(faults) == 0


async def test_faults_are_used_in_order(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("maintenance"))
    api.sandbox.state.faults.push(Fault("waf_403"))

    statuses = [(await api.call("GetClients")).status for _ in range(3)]

    assert statuses == [503, 403, 200]


def test_fault_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="times"):
        Fault("drop", times=0)
    with pytest.raises(ValueError, match="explode"):
        Fault("explode")
