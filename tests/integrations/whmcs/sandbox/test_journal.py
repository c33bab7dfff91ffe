"""The call journal: every request, never a secret."""

from __future__ import annotations

from .conftest import CREDENTIALS, Api, client_form


async def test_journal_records_action_and_params_without_secrets(api: Api) -> None:
    await api.call("AddClient", accesskey="some-key", **client_form())

    (call,) = api.sandbox.state.calls
    assert call["action"] == "AddClient"
    assert call["email"] == "ada@example.net"
    assert call["responsetype"] == "json"
    for secret_key in ("identifier", "secret", "accesskey", "password2"):
        assert secret_key not in call
    assert "sandbox-secret" not in repr(api.sandbox.state.calls)
    assert "Correct-Horse-9" not in repr(api.sandbox.state.calls)


async def test_journal_drops_the_username_password_form_too(api: Api) -> None:
    await api.post(
        {"username": "sandbox-identifier", "password": "sandbox-secret", "action": "GetClients"}
    )

    assert api.sandbox.state.calls == [{"action": "GetClients"}]


async def test_rejected_requests_are_journalled(api: Api) -> None:
    await api.post({"identifier": "x", "secret": "y", "action": "GetClients"})
    await api.post({**CREDENTIALS, "action": ""})

    assert [c["action"] for c in api.sandbox.state.calls] == ["GetClients", ""]


async def test_calls_for_filters_case_insensitively(api: Api) -> None:
    await api.call("GetClients")
    await api.call("addclient", **client_form())

    assert len(api.sandbox.state.calls_for("AddClient")) == 1


async def test_reset_restores_the_seed(api: Api) -> None:
    state = api.sandbox.state
    await api.call("AddClient", **client_form())
    state.update_client(2, firstname="Robert")
    state.latency_ms = 50

    state.reset()

    assert len(state.clients) == 12
    assert state.clients[2].firstname == "Bob"
    assert (state.calls, state.sent_emails, state.latency_ms) == ([], [], 0)
    body = await api.ok("AddClient", **client_form())
    assert body["clientid"] == "13"
