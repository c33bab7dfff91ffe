"""``POST /_sandbox/control``, for tests that drive a sandbox in another process."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api, SandboxFactory, client_form


async def _control(api: Api, body: Any) -> tuple[int, dict[str, Any]]:
    assert api.sandbox.control_url is not None
    async with api.session.post(api.sandbox.control_url, json=body) as resp:
        return resp.status, await resp.json()


@pytest.fixture
async def ctl(make_api: SandboxFactory) -> Api:
    return await make_api(control=True)


async def test_control_is_off_by_default(api: Api) -> None:
    assert api.sandbox.control_url is None
    async with api.session.post(f"{api.sandbox.url}/_sandbox/control", json={"op": "reset"}) as r:
        assert r.status == 404


async def test_push_fault(ctl: Api) -> None:
    fault = {"kind": "delay", "action": "AddClient", "seconds": 0.2, "after_commit": True}

    status, body = await _control(ctl, {"op": "push_fault", "fault": fault})
    with pytest.raises(TimeoutError):
        await ctl.call_within(0.05, "AddClient", **client_form())

    assert (status, body) == (200, {"ok": True, "pending_faults": 1})
    assert ctl.sandbox.state.client_by_email("ada@example.net") is not None


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "explode"},
        {"action": "GetClients"},
        {"kind": "drop", "colour": "red"},
        {"kind": "drop", "times": 0},
    ],
)
async def test_push_fault_rejects_bad_faults(ctl: Api, fault: dict[str, Any]) -> None:
    status, body = await _control(ctl, {"op": "push_fault", "fault": fault})

    assert (status, body["ok"]) == (400, False)
    assert len(ctl.sandbox.state.faults) == 0


async def test_set_latency(ctl: Api) -> None:
    status, body = await _control(ctl, {"op": "set_latency", "latency_ms": 200})

    assert (status, body) == (200, {"ok": True, "latency_ms": 200.0})
    with pytest.raises(TimeoutError):
        await ctl.call_within(0.05, "WhmcsDetails")


async def test_set_latency_rejects_negative(ctl: Api) -> None:
    status, _ = await _control(ctl, {"op": "set_latency", "latency_ms": -1})

    assert status == 400
    assert ctl.sandbox.state.latency_ms == 0


async def test_calls_without_secrets(ctl: Api) -> None:
    await ctl.call("GetClients", search="bob")
    await ctl.call("AddClient", **client_form())

    _, every = await _control(ctl, {"op": "calls"})
    _, adds = await _control(ctl, {"op": "calls", "action": "addclient"})

    assert [c["action"] for c in every["calls"]] == ["GetClients", "AddClient"]
    assert [c["email"] for c in adds["calls"]] == ["ada@example.net"]
    assert "secret" not in str(every)
    assert "password2" not in str(every)


async def test_update_client(ctl: Api) -> None:
    status, body = await _control(
        ctl, {"op": "update_client", "clientid": 2, "fields": {"email": "robert@example.com"}}
    )

    assert status == 200
    assert body["client"]["email"] == "robert@example.com"
    details = await ctl.ok("GetClientsDetails", clientid="2")
    assert details["client"]["email"] == "robert@example.com"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"op": "update_client", "clientid": 999, "fields": {}}, 404),
        ({"op": "update_client", "clientid": "2", "fields": {}}, 400),
        ({"op": "update_client", "clientid": 2, "fields": {"pasword": "x"}}, 400),
        ({"op": "update_client", "clientid": 2}, 400),
    ],
)
async def test_update_client_errors(ctl: Api, body: dict[str, Any], status: int) -> None:
    got, answer = await _control(ctl, body)

    assert (got, answer["ok"]) == (status, False)


async def test_add_client(ctl: Api) -> None:
    status, body = await _control(
        ctl,
        {
            "op": "add_client",
            "fields": {
                "firstname": "Grace",
                "lastname": "Hopper",
                "email": "grace@example.mil",
                "country": "US",
                "status": "Inactive",
            },
        },
    )

    assert (status, body) == (200, {"ok": True, "clientid": 13, "owner_id": 15})
    details = await ctl.ok("GetClientsDetails", clientid="13")
    assert (details["client"]["email"], details["client"]["status"]) == (
        "grace@example.mil",
        "Inactive",
    )
    assert ctl.sandbox.state.sent_emails == []  # added behind the API: no welcome e-mail


async def test_get_client_and_sent_emails(ctl: Api) -> None:
    await ctl.ok("AddClient", **client_form())

    _, client = await _control(ctl, {"op": "get_client", "clientid": 13})
    _, emails = await _control(ctl, {"op": "sent_emails"})

    assert client["client"]["email"] == "ada@example.net"
    assert emails["sent_emails"] == [
        {"template": "Client Signup Email", "client_id": 13, "to": "ada@example.net"}
    ]


async def test_reset(ctl: Api) -> None:
    await ctl.ok("AddClient", **client_form())

    status, body = await _control(ctl, {"op": "reset"})

    assert (status, body) == (200, {"ok": True})
    assert len(ctl.sandbox.state.clients) == 12
    assert ctl.sandbox.state.calls == []


@pytest.mark.parametrize("body", [{"op": "launch"}, ["reset"], {}])
async def test_unknown_or_malformed_ops(ctl: Api, body: Any) -> None:
    status, answer = await _control(ctl, body)

    assert (status, answer["ok"]) == (400, False)


async def test_non_json_body(ctl: Api) -> None:
    assert ctl.sandbox.control_url is not None
    async with ctl.session.post(ctl.sandbox.control_url, data="op=reset") as resp:
        assert resp.status == 400
        assert (await resp.json())["ok"] is False
