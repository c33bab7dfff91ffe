"""createLocalClient, updateLocalClient, deleteLocalClient, clients and client."""

from __future__ import annotations

import models
from tests.conftest import Api
from tests.graph.conftest import CreateClient
from tests.graph.documents import (
    CLIENT,
    CLIENTS,
    COMPLETE_CLIENT,
    CREATE_LOCAL,
    DELETE_LOCAL,
    LINK,
    UPDATE_LOCAL,
)


async def test_create_stores_the_client_and_shows_it_unlinked(api: Api) -> None:
    data = await api.gql(CREATE_LOCAL, {"input": {**COMPLETE_CLIENT, "country": " es "}})

    created = data["createLocalClient"]
    assert created["__typename"] == "Client"
    assert created["country"] == "ES"
    assert created["sync"] == {
        "entityType": "CLIENT",
        "localId": created["id"],
        "synced": False,
        "whmcsId": None,
        "status": None,
        "lastSyncedAt": None,
        "lastDirection": None,
        "lastError": None,
        "pendingReason": None,
    }
    row = await models.Client.get(id=int(created["id"]))
    assert (row.email, row.email_key, row.company_name) == (
        "ana.ruiz@example.org",
        "ana.ruiz@example.org",
        "Ruiz Hosting SL",
    )


async def test_create_lists_every_invalid_field_and_stores_nothing(api: Api) -> None:
    bad = {
        "firstName": "  ",
        "lastName": "x" * 101,
        "email": "not-an-email",
        "country": "Spain",
        "phoneNumber": "call me",
    }

    data = await api.gql(CREATE_LOCAL, {"input": bad})

    result = data["createLocalClient"]
    assert result["__typename"] == "ValidationError"
    assert result["code"] == "VALIDATION_FAILED"
    assert {f["field"] for f in result["fields"]} == {
        "firstName",
        "lastName",
        "email",
        "country",
        "phoneNumber",
    }
    assert await models.Client.all().count() == 0


async def test_email_is_unique_ignoring_case(api: Api, create_client: CreateClient) -> None:
    first = await create_client(email="Dup@Example.org")

    data = await api.gql(CREATE_LOCAL, {"input": {**COMPLETE_CLIENT, "email": "dup@example.ORG"}})

    result = data["createLocalClient"]
    assert result["__typename"] == "ValidationError"
    assert result["fields"] == [
        {"field": "email", "message": f"dup@example.ORG is already used by local client {first}."}
    ]


async def test_patch_changes_given_fields_and_null_clears(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()

    data = await api.gql(
        UPDATE_LOCAL, {"id": client_id, "input": {"firstName": "Anna", "companyName": None}}
    )

    updated = data["updateLocalClient"]
    assert updated["firstName"] == "Anna"
    assert updated["companyName"] is None
    assert updated["city"] == "Madrid"  # not sent: unchanged
    row = await models.Client.get(id=int(client_id))
    assert (row.first_name, row.company_name, row.city) == ("Anna", None, "Madrid")


async def test_patch_refuses_clearing_a_required_field(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()

    data = await api.gql(UPDATE_LOCAL, {"id": client_id, "input": {"lastName": None}})

    assert data["updateLocalClient"]["fields"] == [{"field": "lastName", "message": "is required."}]
    assert (await models.Client.get(id=int(client_id))).last_name == "Ruiz"


async def test_patch_and_delete_of_unknown_client_are_not_found(api: Api) -> None:
    patched = await api.gql(UPDATE_LOCAL, {"id": "999", "input": {"firstName": "X"}})
    deleted = await api.gql(DELETE_LOCAL, {"id": "abc"})

    assert patched["updateLocalClient"]["__typename"] == "NotFoundError"
    assert patched["updateLocalClient"]["side"] == "LOCAL"
    assert deleted["deleteLocalClient"] == {
        "__typename": "NotFoundError",
        "code": "NOT_FOUND",
        "message": "No client abc locally.",
        "entityType": "CLIENT",
        "id": "abc",
        "side": "LOCAL",
    }


async def test_delete_removes_client_and_link_but_not_whmcs(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    linked = await api.gql(LINK, {"id": client_id, "whmcsId": "1"})
    assert linked["linkClient"]["__typename"] == "LinkClientSuccess"
    whmcs_before = len(api.sandbox.state.clients)

    data = await api.gql(DELETE_LOCAL, {"id": client_id})

    assert data["deleteLocalClient"] == {"__typename": "DeleteLocalClientSuccess", "id": client_id}
    assert not await models.Client.exists(id=int(client_id))
    assert await models.SyncMap.all().count() == 0
    assert len(api.sandbox.state.clients) == whmcs_before
    assert api.sandbox.state.calls_for("DeleteClient") == []


async def test_clients_page_search_and_sync_state(api: Api, create_client: CreateClient) -> None:
    ids = [await create_client(email=f"user{n}@example.org", firstName=f"N{n}") for n in range(3)]
    await api.gql(LINK, {"id": ids[1], "whmcsId": "2"})
    calls_before = len(api.sandbox.state.calls)

    page = (await api.gql(CLIENTS, {"offset": 1, "limit": 1}))["clients"]
    found = (await api.gql(CLIENTS, {"search": "USER2@"}))["clients"]

    assert (page["total"], page["offset"], page["limit"]) == (3, 1, 1)
    assert [c["id"] for c in page["items"]] == [ids[1]]
    assert page["items"][0]["sync"]["synced"] is True
    assert page["items"][0]["sync"]["whmcsId"] == "2"
    assert [c["id"] for c in found["items"]] == [ids[2]]
    assert len(api.sandbox.state.calls) == calls_before  # the list never calls WHMCS


async def test_client_by_id(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()

    assert (await api.gql(CLIENT, {"id": client_id}))["client"]["email"] == "ana.ruiz@example.org"
    assert (await api.gql(CLIENT, {"id": "424242"}))["client"] is None
    assert (await api.gql(CLIENT, {"id": "x"}))["client"] is None


async def test_page_limits_are_enforced(api: Api) -> None:
    body = await api.raw(CLIENTS, {"limit": 101})

    assert body["data"] is None
    assert body["errors"][0]["message"] == "limit must be between 1 and 100, got 101."
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
