"""Reliability end to end: WHMCS down for a while, short pages, stale PENDING links."""

from __future__ import annotations

import asyncio
import datetime

import pytest

import models
from integrations.whmcs.sandbox import Fault
from tests.conftest import Api
from tests.graph.conftest import CreateClient
from tests.graph.documents import (
    CONNECTION_TEST,
    PUSH,
    STATS,
    STATS_BREAKER,
    SYNC_STATUS,
    WHMCS_CLIENTS,
)

DOWN = {"WHMCS_BREAKER_THRESHOLD": "3", "WHMCS_BREAKER_COOLDOWN": "0.5"}
RETRY_AFTER = """
query {
  whmcsClients { __typename ... on WhmcsError { code message retryable retryAfterSeconds hint } }
}
"""


@pytest.mark.parametrize("settings_env", [DOWN], indirect=True)
async def test_whmcs_down_fails_fast_then_recovers_by_itself(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("drop", times=3))  # WHMCS hangs up on everything

    first = (await api.gql(RETRY_AFTER))["whmcsClients"]  # 3 tries: the circuit opens
    sent_while_down = len(api.sandbox.state.calls)
    fast = (await api.gql(RETRY_AFTER))["whmcsClients"]

    assert (first["code"], first["retryAfterSeconds"]) == ("WHMCS_UNAVAILABLE", None)
    assert fast["code"] == "WHMCS_UNAVAILABLE"
    assert fast["retryable"] is True
    assert fast["retryAfterSeconds"] == 1
    assert "was not sent" in fast["message"]
    assert len(api.sandbox.state.calls) == sent_while_down  # failed fast: nothing sent

    await asyncio.sleep(0.6)  # the cooldown passes; WHMCS is back (faults used up)
    recovered = (await api.gql(WHMCS_CLIENTS))["whmcsClients"]

    assert recovered["__typename"] == "WhmcsClientPage"
    assert recovered["total"] > 0


@pytest.mark.parametrize("settings_env", [DOWN], indirect=True)
async def test_an_open_circuit_never_sends_a_write(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()
    api.sandbox.state.faults.push(Fault("drop", times=3))
    await api.gql(RETRY_AFTER)  # opens the circuit

    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert (result["__typename"], result["code"]) == ("WhmcsError", "WHMCS_UNAVAILABLE")
    assert api.sandbox.state.calls_for("AddClient") == []
    assert await models.SyncMap.all().count() == 0  # not sent, so nothing is pending
    logged = await models.SyncLog.filter(operation=models.SyncOperation.PUSH).values_list(
        "status", "whmcs_action", "error_message"
    )
    assert logged == [("ERROR", None, result["message"])]  # the failure is audited


async def test_a_short_page_is_shown_as_it_came(api: Api) -> None:
    # WHMCS claims 12 matches but sends one row (a page that came back short).
    body = (
        '{"result":"success","totalresults":12,"startnumber":0,"numreturned":1,'
        '"clients":{"client":[{"id":5,"firstname":"Eve","lastname":"Short","companyname":"",'
        '"email":"eve@example.com","datecreated":"2024-01-02","groupid":0,"status":"Active"}]}}'
    )
    api.sandbox.state.faults.push(
        Fault("raw", action="GetClients", status=200, body=body, content_type="application/json")
    )

    page = (await api.gql(WHMCS_CLIENTS, {"limit": 25}))["whmcsClients"]

    assert page["__typename"] == "WhmcsClientPage"
    assert page["total"] == 12
    assert [c["email"] for c in page["items"]] == ["eve@example.com"]


async def test_stale_pending_links_show_in_stats_and_status(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
    await models.SyncMap.create(
        entity_type=models.EntityType.CLIENT,
        local_id=int(client_id),
        status=models.SyncStatus.PENDING,
        last_error="AddClient got no answer (timeout); WHMCS may have applied it.",
        lease_token="holder-that-died",
        lease_expires_at=past,
    )

    stats = (await api.gql(STATS))["stats"]
    status = (await api.gql(SYNC_STATUS, {"id": client_id}))["syncStatus"]

    assert (stats["totalPending"], stats["staleP"]) == (1, 1)
    assert status["status"] == "PENDING"
    assert status["pendingReason"].startswith("AddClient got no answer")


# --- connectionTest and the circuit breaker (issue 11, item 1) --------------------------------

OPEN_LONG = {"WHMCS_BREAKER_THRESHOLD": "3", "WHMCS_BREAKER_COOLDOWN": "600"}


async def _open_circuit(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("drop", times=3))
    await api.gql(RETRY_AFTER)  # one read, 3 attempts: the circuit opens
    breaker = (await api.gql(STATS_BREAKER))["stats"]["circuitBreaker"]
    assert (breaker["state"], breaker["failures"], breaker["threshold"]) == ("OPEN", 3, 3)
    assert 590 <= breaker["retryAfterSeconds"] <= 600
    assert breaker["cooldownSeconds"] == 600


@pytest.mark.parametrize("settings_env", [OPEN_LONG], indirect=True)
async def test_connection_test_reaches_whmcs_through_an_open_circuit_and_closes_it(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    await _open_circuit(api)
    held_back = (await api.gql(PUSH, {"id": client_id}))["pushClient"]
    assert "was not sent" in held_back["message"]  # still open: the push fails fast

    result = (await api.gql(CONNECTION_TEST))["connectionTest"]

    assert (result["success"], result["whmcsVersion"]) == (True, "8.13.3")
    assert len(api.sandbox.state.calls_for("WhmcsDetails")) == 1  # WHMCS was asked
    assert result["circuitBreaker"] == {
        "state": "CLOSED",
        "failures": 0,
        "threshold": 3,
        "cooldownSeconds": 600.0,
        "retryAfterSeconds": None,
    }
    pushed = (await api.gql(PUSH, {"id": client_id}))["pushClient"]  # at once, no cooldown
    assert pushed["__typename"] == "PushClientSuccess"
    assert (await api.gql(STATS_BREAKER))["stats"]["circuitBreaker"]["state"] == "CLOSED"


@pytest.mark.parametrize("settings_env", [{**OPEN_LONG, "WHMCS_API_TIMEOUT": "0.3"}], indirect=True)
async def test_a_slow_whmcs_is_a_timeout_even_while_the_circuit_is_open(api: Api) -> None:
    await _open_circuit(api)
    api.sandbox.state.faults.push(Fault("delay", action="WhmcsDetails", seconds=1.0))

    result = (await api.gql(CONNECTION_TEST))["connectionTest"]

    assert (result["success"], result["failure"]) == (False, "TIMEOUT")
    assert "WHMCS_API_TIMEOUT" in result["hint"]
    assert len(api.sandbox.state.calls_for("WhmcsDetails")) == 1  # sent once, not retried
    breaker = result["circuitBreaker"]
    assert (breaker["state"], breaker["failures"]) == ("OPEN", 4)  # it counts: still down
    logged = await models.SyncLog.filter(operation=models.SyncOperation.TEST).values_list(
        "status", "whmcs_action"
    )
    assert logged == [("ERROR", "WhmcsDetails")]


@pytest.mark.parametrize("settings_env", [OPEN_LONG], indirect=True)
async def test_connection_test_says_unreachable_when_whmcs_hangs_up(api: Api) -> None:
    await _open_circuit(api)
    api.sandbox.state.faults.push(Fault("drop", action="WhmcsDetails"))

    result = (await api.gql(CONNECTION_TEST))["connectionTest"]

    assert (result["success"], result["failure"]) == (False, "UNREACHABLE")
    assert "was not sent" not in result["message"]  # WHMCS was asked: this is its answer
    assert len(api.sandbox.state.calls_for("WhmcsDetails")) == 1


@pytest.mark.parametrize(
    "settings_env",
    [{"WHMCS_BREAKER_THRESHOLD": "1", "WHMCS_BREAKER_COOLDOWN": "1"}],
    indirect=True,
)
async def test_stats_show_the_circuit_half_open_after_the_cooldown(api: Api) -> None:
    # One failure opens it (threshold 1). Should a stalled machine let a retry probe after the
    # cooldown, that probe fails too: the read always leaves the circuit open.
    api.sandbox.state.faults.push(Fault("drop", times=3))
    await api.gql(RETRY_AFTER)
    api.sandbox.state.faults.clear()

    breaker = (await api.gql(STATS_BREAKER))["stats"]["circuitBreaker"]
    assert breaker["state"] in ("OPEN", "HALF_OPEN")  # 1 s may pass on a loaded machine
    deadline = asyncio.get_running_loop().time() + 10
    while breaker["state"] != "HALF_OPEN":
        assert asyncio.get_running_loop().time() < deadline, breaker
        await asyncio.sleep(0.05)
        breaker = (await api.gql(STATS_BREAKER))["stats"]["circuitBreaker"]

    assert (breaker["failures"], breaker["retryAfterSeconds"]) == (1, None)
    page = (await api.gql(WHMCS_CLIENTS))["whmcsClients"]  # the probe succeeds: closed
    assert page["__typename"] == "WhmcsClientPage"
    breaker = (await api.gql(STATS_BREAKER))["stats"]["circuitBreaker"]
    assert (breaker["state"], breaker["failures"]) == ("CLOSED", 0)


@pytest.mark.parametrize("settings_env", [{"WHMCS_ENABLED": "false"}], indirect=True)
async def test_no_circuit_breaker_is_shown_when_whmcs_is_switched_off(api: Api) -> None:
    assert (await api.gql(STATS_BREAKER))["stats"]["circuitBreaker"] is None
    assert (await api.gql(CONNECTION_TEST))["connectionTest"]["circuitBreaker"] is None
