"""The WHMCS calls each operation makes: the fewest its guarantees allow, pinned.

Every WHMCS call costs a round trip (tens of milliseconds on a real WHMCS), so a new call on one of
these paths must be a decision, not an accident. docs/performance.md lists the same counts, and
`make bench` fails when an operation makes other calls.

- pushClient: GetClients (the e-mail, fresh: a create is never sent twice) + AddClient.
- updateClient: GetClientsDetails (fresh: conflicts are judged against WHMCS now) + UpdateClient,
  or only GetClientsDetails when nothing differs.
- pullClient: GetClientsDetails.
- whmcsClients: GetClients, none when the page is cached; whmcsClient: GetClientsDetails, none
  when cached.
- syncStatus, clients, client, syncLogs, stats: none.
- the module reads (whmcsServices, whmcsInvoices, whmcsInvoice, ...): their one Get* action, plus
  GetClientsDetails when a page is empty; none when cached (pinned in
  tests/graph/<module>/test_queries.py).
"""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.graph.conftest import CreateClient
from tests.graph.documents import (
    PULL,
    PUSH,
    SYNC_STATUS,
    UPDATE,
    UPDATE_LOCAL,
    WHMCS_CLIENT,
    WHMCS_CLIENTS,
)


def _actions(api: Api) -> list[str]:
    actions = [c["action"] for c in api.sandbox.state.calls]
    api.sandbox.state.calls.clear()
    return actions


async def _pushed(api: Api, create_client: CreateClient) -> tuple[str, str]:
    client_id = await create_client()
    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]
    assert result["__typename"] == "PushClientSuccess", result
    return client_id, result["whmcsId"]


async def test_push_is_an_email_lookup_and_a_create(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()
    _actions(api)

    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert result["__typename"] == "PushClientSuccess"
    assert _actions(api) == ["GetClients", "AddClient"]


async def test_update_is_a_fresh_read_and_a_write(api: Api, create_client: CreateClient) -> None:
    client_id, _ = await _pushed(api, create_client)
    await api.gql(UPDATE_LOCAL, {"id": client_id, "input": {"city": "Sevilla"}})
    _actions(api)

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert result["__typename"] == "UpdateClientSuccess"
    assert _actions(api) == ["GetClientsDetails", "UpdateClient"]


async def test_update_with_nothing_to_send_only_reads(
    api: Api, create_client: CreateClient
) -> None:
    client_id, _ = await _pushed(api, create_client)
    _actions(api)

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert (result["__typename"], result["changedFields"]) == ("UpdateClientSuccess", [])
    assert _actions(api) == ["GetClientsDetails"]


async def test_pull_is_one_read(api: Api, create_client: CreateClient) -> None:
    _, whmcs_id = await _pushed(api, create_client)
    _actions(api)

    result = (await api.gql(PULL, {"whmcsId": whmcs_id}))["pullClient"]

    assert result["__typename"] == "PullClientSuccess"
    assert _actions(api) == ["GetClientsDetails"]


async def test_pull_of_a_new_client_is_one_read(api: Api) -> None:
    result = (await api.gql(PULL, {"whmcsId": "1"}))["pullClient"]

    assert (result["__typename"], result["operation"]) == ("PullClientSuccess", "CREATED")
    assert _actions(api) == ["GetClientsDetails"]


async def test_whmcs_clients_is_one_call_then_none(api: Api) -> None:
    first = (await api.gql(WHMCS_CLIENTS, {"offset": 0, "limit": 25}))["whmcsClients"]
    assert first["__typename"] == "WhmcsClientPage"
    assert _actions(api) == ["GetClients"]

    again = (await api.gql(WHMCS_CLIENTS, {"offset": 0, "limit": 25}))["whmcsClients"]

    assert again == first
    assert _actions(api) == []


async def test_whmcs_client_is_one_call_then_none(api: Api) -> None:
    first = (await api.gql(WHMCS_CLIENT, {"id": "1"}))["whmcsClient"]
    assert first["__typename"] == "WhmcsClient"
    assert _actions(api) == ["GetClientsDetails"]

    await api.gql(WHMCS_CLIENT, {"id": "1"})

    assert _actions(api) == []


@pytest.mark.parametrize("settings_env", [{"WHMCS_CACHE_ENABLED": "false"}], indirect=True)
async def test_without_the_cache_every_read_calls(api: Api) -> None:
    for _ in range(2):
        await api.gql(WHMCS_CLIENTS, {"offset": 0, "limit": 25})
        await api.gql(WHMCS_CLIENT, {"id": "1"})

    assert _actions(api) == ["GetClients", "GetClientsDetails"] * 2


async def test_local_reads_never_call_whmcs(api: Api, create_client: CreateClient) -> None:
    client_id, _ = await _pushed(api, create_client)
    _actions(api)

    await api.gql(SYNC_STATUS, {"id": client_id})
    await api.gql("{ clients { total items { id sync { status } } } }")
    await api.gql(f'{{ client(id: "{client_id}") {{ id sync {{ whmcsId }} }} }}')
    await api.gql("{ syncLogs { total items { id } } }")
    await api.gql("{ stats { totalSynced cacheHits } }")

    assert _actions(api) == []
