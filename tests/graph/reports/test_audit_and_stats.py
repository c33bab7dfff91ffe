"""syncLogs and stats end to end: what the audit trail records, and the numbers the API reports."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

import models
from integrations.whmcs.sandbox import Fault
from tests.conftest import Api
from tests.graph.conftest import CreateClient
from tests.graph.documents import (
    LINK,
    PULL,
    PUSH,
    STATS,
    SYNC_LOGS,
    UPDATE,
    UPDATE_LOCAL,
    WHMCS_CLIENT,
)

PUSH_THEN_UPDATE = """
mutation Both($id: ID!) {
  push: pushClient(clientId: $id) { __typename ... on PushClientSuccess { whmcsId } }
  update: updateClient(clientId: $id) { __typename ... on UpdateClientSuccess { whmcsId } }
}
"""


async def _logs(api: Api, limit: int = 100, offset: int = 0, **filters: Any) -> dict[str, Any]:
    variables = {"filter": filters or None, "limit": limit, "offset": offset}
    page: dict[str, Any] = (await api.gql(SYNC_LOGS, variables))["syncLogs"]
    return page


async def _stats(api: Api) -> dict[str, Any]:
    stats: dict[str, Any] = (await api.gql(STATS))["stats"]
    return stats


async def test_every_whmcs_call_is_one_row_redacted(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()
    pushed = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    page = await _logs(api)

    rows = list(reversed(page["items"]))  # oldest first
    assert page["total"] == 2
    assert [(r["operation"], r["whmcsAction"], r["status"]) for r in rows] == [
        ("PUSH", "GetClients", "SUCCESS"),
        ("PUSH", "AddClient", "SUCCESS"),
    ]
    assert all(r["entityType"] == "CLIENT" and r["localId"] == client_id for r in rows)
    assert all(isinstance(r["durationMs"], int) and r["durationMs"] >= 0 for r in rows)
    assert all(r["errorMessage"] is None for r in rows)
    assert len({r["correlationId"] for r in rows}) == 1
    add = rows[1]
    assert add["requestData"]["password2"] == "[REDACTED]"
    assert add["requestData"]["email"] == "ana.ruiz@example.org"
    assert str(add["responseData"]["clientid"]) == pushed["whmcsId"]
    assert add["whmcsId"] == pushed["whmcsId"]  # the create's own row names the new client
    assert rows[0]["whmcsId"] is None  # the e-mail lookup came before it existed
    dumped = json.dumps(page)
    for secret in (api.sandbox.config.identifier, api.sandbox.config.secret):
        assert secret not in dumped
    for key in ('"identifier"', '"secret"', '"accesskey"'):
        assert key not in dumped
    stored = await models.SyncLog.filter(whmcs_action="AddClient").first()
    assert stored is not None
    assert isinstance(stored.request_data, dict)
    assert stored.request_data["password2"] == "[REDACTED]"


async def test_one_correlation_id_per_graphql_request(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()

    both = await api.gql(PUSH_THEN_UPDATE, {"id": client_id})
    await api.gql(UPDATE, {"id": client_id})

    assert both["push"]["__typename"] == "PushClientSuccess"
    assert both["update"]["__typename"] == "UpdateClientSuccess"
    rows = list(reversed((await _logs(api))["items"]))
    assert [(r["operation"], r["whmcsAction"]) for r in rows] == [
        ("PUSH", "GetClients"),
        ("PUSH", "AddClient"),
        ("UPDATE", "GetClientsDetails"),
        ("UPDATE", "GetClientsDetails"),
    ]
    first, second = {r["correlationId"] for r in rows[:3]}, {rows[3]["correlationId"]}
    assert len(first) == 1
    assert first != second
    assert both["update"]["whmcsId"] == both["push"]["whmcsId"]
    assert [r["whmcsId"] for r in rows[2:]] == [both["push"]["whmcsId"]] * 2


async def test_x_request_id_is_the_correlation_id(api: Api) -> None:
    await api.gql(WHMCS_CLIENT, {"id": "3"}, **{"X-Request-ID": "test-request-0001"})

    (row,) = (await _logs(api))["items"]

    assert (row["correlationId"], row["operation"], row["whmcsId"]) == (
        "test-request-0001",
        "FETCH",
        "3",
    )
    filtered = await api.gql(SYNC_LOGS, {"filter": {"correlationId": "test-request-0001"}})
    assert filtered["syncLogs"]["total"] == 1


async def test_a_request_id_too_long_to_store_is_replaced(api: Api) -> None:
    kept, too_long = "k" * 36, "r" * 37  # the correlation id is stored in 36 characters

    await api.gql(WHMCS_CLIENT, {"id": "3"}, **{"X-Request-ID": kept})
    await api.gql(WHMCS_CLIENT, {"id": "4"}, **{"X-Request-ID": too_long})

    newest, oldest = (await _logs(api))["items"]
    assert oldest["correlationId"] == kept
    assert newest["whmcsAction"] == "GetClientsDetails"  # the request worked and was audited
    assert newest["correlationId"] not in (kept, too_long)
    assert len(newest["correlationId"]) == 36


async def test_duplicate_push_is_an_error_row_beside_its_successful_call(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client(email="bob@example.com")
    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    rows = list(reversed((await _logs(api))["items"]))

    assert result["__typename"] == "DuplicateInWhmcsError"
    assert [(r["whmcsAction"], r["status"]) for r in rows] == [
        ("GetClients", "SUCCESS"),
        (None, "ERROR"),
    ]
    assert rows[1]["errorMessage"] == result["message"]
    assert rows[1]["operation"] == "PUSH"
    assert rows[0]["correlationId"] == rows[1]["correlationId"]


async def test_failed_operations_are_never_recorded_as_success(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    await api.gql(UPDATE, {"id": client_id})  # not linked: no WHMCS call at all
    api.sandbox.state.faults.push(Fault("invalid_ip"))
    await api.gql(PUSH, {"id": client_id})  # the first call fails
    await api.gql(WHMCS_CLIENT, {"id": "999"})  # WHMCS says Client Not Found

    rows = list(reversed((await _logs(api))["items"]))

    assert [(r["operation"], r["whmcsAction"], r["status"]) for r in rows] == [
        ("UPDATE", None, "ERROR"),
        ("PUSH", "GetClients", "ERROR"),
        ("FETCH", "GetClientsDetails", "ERROR"),
    ]
    assert "not linked" in rows[0]["errorMessage"]
    assert "Invalid IP" in rows[1]["errorMessage"]
    assert "Client Not Found" in rows[2]["errorMessage"]
    assert rows[2]["whmcsId"] == "999"


async def test_filters_and_newest_first_paging(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()
    await api.gql(PUSH, {"id": client_id})  # 2 rows
    await api.gql(PULL, {"whmcsId": "7"})  # 1 row
    await api.gql(LINK, {"id": "4040", "whmcsId": "8"})  # 1 ERROR row
    everything = await _logs(api)
    assert everything["total"] == 4
    ids = [int(r["id"]) for r in everything["items"]]
    assert ids == sorted(ids, reverse=True)

    first = await _logs(api, limit=3)
    rest = await _logs(api, limit=3, offset=3)
    assert [r["id"] for r in first["items"] + rest["items"]] == [
        r["id"] for r in everything["items"]
    ]
    assert (rest["total"], rest["offset"], rest["limit"], len(rest["items"])) == (4, 3, 3, 1)

    def kinds(page: dict[str, Any]) -> list[tuple[str, str | None]]:
        return [(r["operation"], r["whmcsAction"]) for r in page["items"]]

    assert kinds(await _logs(api, operation="PULL")) == [("PULL", "GetClientsDetails")]
    assert kinds(await _logs(api, status="ERROR")) == [("LINK", None)]
    assert (await _logs(api, entityType="CLIENT"))["total"] == 4
    assert len((await _logs(api, localId=client_id))["items"]) == 2
    assert kinds(await _logs(api, whmcsId="7")) == [("PULL", "GetClientsDetails")]
    assert (await _logs(api, whmcsId="8"))["items"][0]["errorMessage"] == "No client 4040 locally."
    assert (await _logs(api, localId="nope"))["total"] == 0

    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=10)
    await models.SyncLog.filter(id=ids[-1]).update(created_at=old)
    assert (await _logs(api, days=7))["total"] == 3
    assert (await _logs(api, days=30))["total"] == 4


@pytest.mark.parametrize(
    ("settings_env", "requests", "responses"),
    [
        ({"WHMCS_LOG_REQUESTS": "false"}, False, True),
        ({"WHMCS_LOG_RESPONSES": "false"}, True, False),
    ],
    indirect=["settings_env"],
)
async def test_request_and_response_logging_can_be_switched_off(
    api: Api, create_client: CreateClient, requests: bool, responses: bool
) -> None:
    client_id = await create_client()
    await api.gql(PUSH, {"id": client_id})

    rows = (await _logs(api))["items"]

    assert len(rows) == 2
    assert all((r["requestData"] is not None) is requests for r in rows)
    assert all((r["responseData"] is not None) is responses for r in rows)
    assert all(r["whmcsAction"] and r["durationMs"] is not None for r in rows)


@pytest.mark.parametrize("settings_env", [{"WHMCS_LOG_ENABLED": "false"}], indirect=True)
async def test_audit_log_can_be_switched_off(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()
    pushed = (await api.gql(PUSH, {"id": client_id}))["pushClient"]
    await api.gql(UPDATE, {"id": "4040"})

    assert pushed["__typename"] == "PushClientSuccess"
    assert (await _logs(api))["total"] == 0
    assert await models.SyncLog.all().count() == 0


async def test_stats_after_a_mix_of_operations(api: Api, create_client: CreateClient) -> None:
    assert await _stats(api) == {
        "totalSynced": 0,
        "totalPending": 0,
        "totalErrors": 0,
        "staleP": 0,
        "cacheHits": 0,
        "cacheMisses": 0,
        "byEntityType": [{"entityType": "CLIENT", "count": 0}],
    }
    pushed = await create_client()
    await api.gql(PUSH, {"id": pushed})  # SYNCED
    await api.gql(PULL, {"whmcsId": "7"})  # SYNCED (a new local client)
    refused = await create_client(email="refused@example.org")
    api.sandbox.state.faults.push(
        Fault("error", action="AddClient", message="You did not enter your city")
    )
    await api.gql(PUSH, {"id": refused})  # ERROR: WHMCS refused the create
    await api.gql(UPDATE_LOCAL, {"id": pushed, "input": {"city": "Sevilla"}})
    api.sandbox.state.faults.push(Fault("html_500", action="UpdateClient"))
    await api.gql(UPDATE, {"id": pushed})  # PENDING: outcome unknown
    await api.gql(UPDATE, {"id": "4040"})  # no link at all: counts nowhere

    stats = await _stats(api)

    assert (stats["totalSynced"], stats["totalPending"], stats["totalErrors"]) == (1, 1, 1)
    assert stats["staleP"] == 1  # nobody holds it: its outcome is unknown
    assert stats["byEntityType"] == [{"entityType": "CLIENT", "count": 3}]
    statuses = sorted(m.status for m in await models.SyncMap.all())
    assert statuses == sorted(
        [models.SyncStatus.ERROR, models.SyncStatus.PENDING, models.SyncStatus.SYNCED]
    )


async def test_cache_counters_move_as_a_whmcs_client_is_read(api: Api) -> None:
    await api.gql(WHMCS_CLIENT, {"id": "3"})
    after_one = await _stats(api)
    await api.gql(WHMCS_CLIENT, {"id": "3"})
    after_two = await _stats(api)

    assert (after_one["cacheHits"], after_one["cacheMisses"]) == (0, 1)
    assert (after_two["cacheHits"], after_two["cacheMisses"]) == (1, 1)
    assert len(api.sandbox.state.calls_for("GetClientsDetails")) == 1
