"""Reliability end to end: WHMCS down for a while, short pages, stale PENDING links."""

from __future__ import annotations

import asyncio
import datetime

import pytest

import models
from integrations.whmcs.sandbox import Fault
from tests.conftest import Api
from tests.graph.conftest import CreateClient
from tests.graph.documents import PUSH, STATS, SYNC_STATUS, WHMCS_CLIENTS

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
