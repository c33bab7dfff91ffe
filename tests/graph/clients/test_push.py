"""pushClient end to end, against the WHMCS sandbox over real HTTP."""

from __future__ import annotations

import asyncio

import pytest

import models
from integrations.whmcs.sandbox import Fault
from tests.conftest import Api
from tests.graph.conftest import CreateClient
from tests.graph.documents import PUSH, SYNC_STATUS, UPDATE_LOCAL


async def test_push_creates_the_whmcs_client_and_links_it(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()

    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert result["__typename"] == "PushClientSuccess"
    assert result["operation"] == "CREATED"
    whmcs_id = int(result["whmcsId"])
    created = api.sandbox.state.get_client(whmcs_id)
    assert (created.email, created.firstname, created.country, created.phonenumber) == (
        "ana.ruiz@example.org",
        "Ana",
        "ES",
        "+34 600 111 222",
    )
    add = api.sandbox.state.calls_for("AddClient")
    assert len(add) == 1
    assert add[0]["noemail"] in ("1", "true")  # no welcome e-mail by default
    assert api.sandbox.state.sent_emails == []
    actions = [c["action"] for c in api.sandbox.state.calls]
    assert actions == ["GetClients", "AddClient"]  # e-mail checked first, then created
    sync = result["client"]["sync"]
    assert (sync["synced"], sync["status"], sync["whmcsId"], sync["lastDirection"]) == (
        True,
        "SYNCED",
        str(whmcs_id),
        "PUSH",
    )
    link = await models.SyncMap.get(local_id=int(client_id))
    assert link.id == int(result["syncMapId"])
    assert link.snapshot is not None
    assert link.snapshot["email"] == "ana.ruiz@example.org"
    assert link.lease_token is None


async def test_push_of_a_linked_client_is_refused_unless_forced(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    first = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    again = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert again["__typename"] == "AlreadyLinkedError"
    assert (again["code"], again["linkedLocalId"], again["linkedWhmcsId"]) == (
        "ALREADY_LINKED",
        client_id,
        first["whmcsId"],
    )
    assert len(api.sandbox.state.calls_for("AddClient")) == 1


async def test_force_create_makes_a_new_whmcs_client_and_moves_the_link(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    first = (await api.gql(PUSH, {"id": client_id}))["pushClient"]
    await api.gql(UPDATE_LOCAL, {"id": client_id, "input": {"email": "ana.new@example.org"}})

    forced = (await api.gql(PUSH, {"id": client_id, "forceCreate": True}))["pushClient"]

    assert forced["__typename"] == "PushClientSuccess"
    assert forced["operation"] == "CREATED"
    assert forced["whmcsId"] != first["whmcsId"]
    assert api.sandbox.state.get_client(int(forced["whmcsId"])).email == "ana.new@example.org"
    assert api.sandbox.state.get_client(int(first["whmcsId"])) is not None  # never deleted
    link = await models.SyncMap.get(local_id=int(client_id))
    assert link.whmcs_id == int(forced["whmcsId"])
    assert link.id == int(first["syncMapId"])  # the same link row, moved


async def test_whmcs_user_with_the_email_is_a_validation_error_on_email(
    api: Api, create_client: CreateClient
) -> None:
    # WHMCS 8 keeps the login (User) when a client's e-mail changes: AddClient then refuses
    # "A user already exists with that email address" although no client has it.
    client_id = await create_client(email="ana.ruiz@example.org")
    api.sandbox.state.add_user(
        firstname="Ana", lastname="R", email="ana.ruiz@example.org", password="x-Secret-1"
    )

    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert result["__typename"] == "ValidationError"
    assert result["fields"] == [
        {
            "field": "email",
            "message": "WHMCS refused it: A user already exists with that email address",
        }
    ]


async def test_existing_email_in_whmcs_is_a_duplicate_error(
    api: Api, create_client: CreateClient
) -> None:
    # The sandbox has bob@example.com (2) and bob@example.com.au: the search is a prefix match.
    bob = api.sandbox.state.client_by_email("bob@example.com")
    client_id = await create_client(email="BOB@example.com")

    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert result["__typename"] == "DuplicateInWhmcsError"
    assert result["whmcsId"] == str(bob.id)
    assert "linkExisting" in result["message"]
    assert api.sandbox.state.calls_for("AddClient") == []
    assert await models.SyncMap.all().count() == 0
    status = (await api.gql(SYNC_STATUS, {"id": client_id}))["syncStatus"]
    assert (status["synced"], status["status"]) == (False, None)


async def test_link_existing_links_the_whmcs_client_with_that_email(
    api: Api, create_client: CreateClient
) -> None:
    bob = api.sandbox.state.client_by_email("bob@example.com")
    client_id = await create_client(email="bob@EXAMPLE.com")

    result = (await api.gql(PUSH, {"id": client_id, "linkExisting": True}))["pushClient"]

    assert result["__typename"] == "PushClientSuccess"
    assert (result["operation"], result["whmcsId"]) == ("LINKED", str(bob.id))
    assert api.sandbox.state.calls_for("AddClient") == []
    link = await models.SyncMap.get(local_id=int(client_id))
    assert link.snapshot is not None
    assert link.snapshot["city"] == bob.city  # the snapshot comes from the full details


async def test_missing_fields_whmcs_requires_are_named_before_calling_whmcs(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client(phoneNumber=None, city=None, postcode=None)

    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert result["__typename"] == "ValidationError"
    assert [f["field"] for f in result["fields"]] == ["phoneNumber", "city", "postcode"]
    assert api.sandbox.state.calls == []


@pytest.mark.parametrize("settings_env", [{"WHMCS_SKIP_VALIDATION": "true"}], indirect=True)
async def test_skip_validation_pushes_an_incomplete_client(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client(phoneNumber=None, city=None, postcode=None)

    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert result["__typename"] == "PushClientSuccess"
    assert api.sandbox.state.calls_for("AddClient")[0]["skipvalidation"] in ("1", "true")


async def test_whmcs_rejection_of_a_field_is_a_validation_error(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    api.sandbox.state.faults.push(
        Fault("error", action="AddClient", message="You did not enter your  address line 1")
    )

    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert result["__typename"] == "ValidationError"
    assert result["fields"][0]["field"] == "address1"
    assert "address line 1" in result["fields"][0]["message"]
    status = (await api.gql(SYNC_STATUS, {"id": client_id}))["syncStatus"]
    assert (status["synced"], status["status"], status["whmcsId"]) == (False, "ERROR", None)
    assert "address line 1" in status["lastError"]


async def test_unknown_local_client_is_not_found(api: Api) -> None:
    result = (await api.gql(PUSH, {"id": "4040"}))["pushClient"]

    assert result["__typename"] == "NotFoundError"
    assert (result["side"], result["id"]) == ("LOCAL", "4040")
    assert api.sandbox.state.calls == []


async def test_whmcs_auth_failure_is_a_typed_error(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()
    api.sandbox.state.faults.push(Fault("invalid_ip"))

    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert result["__typename"] == "WhmcsError"
    assert result["code"] == "WHMCS_AUTH_FAILED"
    assert result["retryable"] is False
    assert "127.0.0.1" in result["hint"]  # the address WHMCS saw, to add to its allow-list
    assert "API IP Access Restriction" in result["hint"]
    assert await models.SyncMap.all().count() == 0  # nothing was written: no link left behind


@pytest.mark.parametrize("settings_env", [{"WHMCS_ENABLED": "false"}], indirect=True)
async def test_disabled_integration(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()

    result = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert (result["__typename"], result["code"]) == ("WhmcsError", "INTEGRATION_DISABLED")
    assert api.sandbox.state.calls == []


async def test_concurrent_pushes_create_one_whmcs_client(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    api.sandbox.state.latency_ms = 150

    results = await asyncio.gather(*(api.gql(PUSH, {"id": client_id}) for _ in range(4)))

    kinds = sorted(r["pushClient"]["__typename"] for r in results)
    assert kinds.count("PushClientSuccess") == 1
    assert set(kinds) <= {"PushClientSuccess", "SyncInProgressError", "AlreadyLinkedError"}
    assert len(api.sandbox.state.calls_for("AddClient")) == 1
    assert (
        len([c for c in api.sandbox.state.clients.values() if c.email == "ana.ruiz@example.org"])
        == 1
    )


@pytest.mark.parametrize("settings_env", [{"WHMCS_API_TIMEOUT": "0.3"}], indirect=True)
async def test_timed_out_create_is_reconciled_not_duplicated(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    api.sandbox.state.faults.push(
        Fault("delay", action="AddClient", seconds=1.0, after_commit=True)
    )

    first = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert (first["__typename"], first["code"], first["retryable"]) == (
        "WhmcsError",
        "WHMCS_UNAVAILABLE",
        True,
    )
    status = (await api.gql(SYNC_STATUS, {"id": client_id}))["syncStatus"]
    assert (status["synced"], status["status"], status["whmcsId"]) == (False, "PENDING", None)
    assert "AddClient got no answer" in status["pendingReason"]
    created = api.sandbox.state.client_by_email("ana.ruiz@example.org")
    assert created is not None  # WHMCS did create it

    second = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert second["__typename"] == "PushClientSuccess"
    assert second["whmcsId"] == str(created.id)
    assert len(api.sandbox.state.calls_for("AddClient")) == 1
    assert len([c for c in api.sandbox.state.clients.values() if c.email == created.email]) == 1
    status = (await api.gql(SYNC_STATUS, {"id": client_id}))["syncStatus"]
    assert (status["synced"], status["status"], status["pendingReason"]) == (True, "SYNCED", None)


@pytest.mark.parametrize("settings_env", [{"WHMCS_API_TIMEOUT": "0.3"}], indirect=True)
async def test_timed_out_create_that_did_not_happen_is_created_on_retry(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    api.sandbox.state.faults.push(Fault("drop", action="AddClient"))  # hangs up before acting

    first = (await api.gql(PUSH, {"id": client_id}))["pushClient"]
    assert first["code"] == "WHMCS_UNAVAILABLE"
    status = (await api.gql(SYNC_STATUS, {"id": client_id}))["syncStatus"]
    assert status["status"] == "PENDING"  # the client cannot know: WHMCS may have acted

    second = (await api.gql(PUSH, {"id": client_id}))["pushClient"]

    assert second["__typename"] == "PushClientSuccess"
    assert second["operation"] == "CREATED"
    assert len(api.sandbox.state.calls_for("AddClient")) == 2
    assert (
        len([c for c in api.sandbox.state.clients.values() if c.email == "ana.ruiz@example.org"])
        == 1
    )
