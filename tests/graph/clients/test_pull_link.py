"""pullClient, linkClient, unlink and syncStatus end to end, against the WHMCS sandbox."""

from __future__ import annotations

import asyncio
import datetime
import json

import pytest

import models
from integrations.whmcs.sandbox import Fault
from tests.conftest import Api
from tests.graph.conftest import CreateClient
from tests.graph.documents import LINK, PULL, SYNC_STATUS, UNLINK

LIAM = 7  # seeded: Liam O'Brien, liam.obrien@example.ie, Cork, IE, created 2021-04-05
LIAM_EMAIL = "liam.obrien@example.ie"


async def _pull(api: Api, whmcs_id: int | str, local_id: str | None = None) -> dict:
    variables = {"whmcsId": str(whmcs_id), "localId": local_id}
    result: dict = (await api.gql(PULL, variables))["pullClient"]
    return result


async def _link(api: Api, client_id: str, whmcs_id: int | str) -> dict:
    result: dict = (await api.gql(LINK, {"id": client_id, "whmcsId": str(whmcs_id)}))["linkClient"]
    return result


def _actions(api: Api) -> list[str]:
    return [c["action"] for c in api.sandbox.state.calls]


# --- pullClient ----------------------------------------------------------------------------


async def test_pull_creates_a_new_local_client_and_links_it(api: Api) -> None:
    result = await _pull(api, LIAM)

    assert result["__typename"] == "PullClientSuccess"
    assert result["operation"] == "CREATED"
    filled = ["address1", "city", "country", "email", "firstName", "lastName"]
    assert result["changedFields"] == [*filled, "phoneNumber", "postcode", "state"]
    assert result["whmcsClient"] == {
        "id": str(LIAM),
        "email": LIAM_EMAIL,
        "firstName": "Liam",
        "createdOn": "2021-04-05",
    }
    row = await models.Client.get(id=int(result["client"]["id"]))
    assert (row.first_name, row.last_name, row.email) == ("Liam", "O'Brien", LIAM_EMAIL)
    assert (row.city, row.country) == ("Cork", "IE")
    assert (row.company_name, row.address2) == (None, None)  # WHMCS's "" is no value
    link = await models.SyncMap.get(local_id=row.id)
    assert (link.whmcs_id, link.status, link.last_direction) == (
        LIAM,
        models.SyncStatus.SYNCED,
        models.SyncDirection.PULL,
    )
    assert link.snapshot is not None
    assert (link.snapshot["email"], link.snapshot["phonenumber"]) == (LIAM_EMAIL, "021 555 0198")
    assert result["client"]["sync"]["synced"] is True
    assert _actions(api) == ["GetClientsDetails"]  # a pull never writes to WHMCS


async def test_pull_again_updates_the_linked_client(api: Api) -> None:
    first = await _pull(api, LIAM)
    api.sandbox.state.update_client(LIAM, city="Dublin", postcode="D02 X285")

    second = await _pull(api, LIAM)
    third = await _pull(api, LIAM)

    assert (second["operation"], second["changedFields"]) == ("UPDATED", ["city", "postcode"])
    assert second["client"]["id"] == first["client"]["id"]
    assert second["client"]["city"] == "Dublin"
    assert (third["operation"], third["changedFields"]) == ("UPDATED", [])
    assert await models.Client.all().count() == 1
    link = await models.SyncMap.get(whmcs_id=LIAM)
    assert link.snapshot is not None
    assert link.snapshot["city"] == "Dublin"


async def test_pull_uses_the_unlinked_local_client_with_the_same_email(
    api: Api, create_client: CreateClient
) -> None:
    other = await create_client()
    same = await create_client(email=LIAM_EMAIL.upper(), firstName="L", city="Madrid")

    result = await _pull(api, LIAM)

    assert (result["__typename"], result["operation"]) == ("PullClientSuccess", "UPDATED")
    assert result["client"]["id"] == same
    assert {"email", "firstName", "city"} <= set(result["changedFields"])
    row = await models.Client.get(id=int(same))
    assert (row.email, row.email_key, row.first_name, row.city) == (
        LIAM_EMAIL,
        LIAM_EMAIL,
        "Liam",
        "Cork",
    )
    assert (await models.SyncMap.get(whmcs_id=LIAM)).local_id == int(same)
    assert (await models.Client.get(id=int(other))).first_name == "Ana"
    assert await models.Client.all().count() == 2


async def test_pull_into_the_given_local_client(api: Api, create_client: CreateClient) -> None:
    target = await create_client()

    result = await _pull(api, LIAM, local_id=target)

    assert (result["operation"], result["client"]["id"]) == ("UPDATED", target)
    assert "companyName" in result["changedFields"]  # cleared: WHMCS has none
    row = await models.Client.get(id=int(target))
    assert (row.email, row.first_name, row.company_name) == (LIAM_EMAIL, "Liam", None)
    assert (await models.SyncMap.get(local_id=int(target))).whmcs_id == LIAM


async def test_pull_into_a_local_client_linked_elsewhere_is_refused(
    api: Api, create_client: CreateClient
) -> None:
    target = await create_client()
    assert (await _link(api, target, 2))["__typename"] == "LinkClientSuccess"

    result = await _pull(api, LIAM, local_id=target)

    assert result["__typename"] == "AlreadyLinkedError"
    assert (result["linkedLocalId"], result["linkedWhmcsId"]) == (target, "2")
    assert (await models.Client.get(id=int(target))).first_name == "Ana"


async def test_pull_of_a_whmcs_client_linked_to_another_local_client_is_refused(
    api: Api, create_client: CreateClient
) -> None:
    owner = await create_client(email="owner@example.org")
    target = await create_client()
    await _link(api, owner, LIAM)

    result = await _pull(api, LIAM, local_id=target)

    assert result["__typename"] == "AlreadyLinkedError"
    assert (result["linkedLocalId"], result["linkedWhmcsId"]) == (owner, str(LIAM))
    assert (await models.Client.get(id=int(target))).email == "ana.ruiz@example.org"
    assert not await models.SyncMap.exists(local_id=int(target))


async def test_pull_of_unknown_ids_is_not_found(api: Api, create_client: CreateClient) -> None:
    target = await create_client()

    whmcs = await _pull(api, 999)
    local = await _pull(api, LIAM, local_id="4040")

    assert (whmcs["__typename"], whmcs["side"], whmcs["id"]) == ("NotFoundError", "WHMCS", "999")
    assert (local["__typename"], local["side"], local["id"]) == ("NotFoundError", "LOCAL", "4040")
    assert await models.Client.all().count() == 1
    assert await models.SyncMap.all().count() == 0
    assert (await models.Client.get(id=int(target))).first_name == "Ana"


async def test_whmcs_data_that_cannot_be_stored_is_a_validation_error(api: Api) -> None:
    api.sandbox.state.update_client(LIAM, firstname="L" * 101, country="XX")

    result = await _pull(api, LIAM)

    assert result["__typename"] == "ValidationError"
    assert {f["field"] for f in result["fields"]} == {"firstName", "country"}
    assert "cannot be stored locally" in result["message"]
    assert await models.Client.all().count() == 0
    assert await models.SyncMap.all().count() == 0


async def test_pull_whmcs_failure_is_a_typed_error(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("permission_denied"))

    result = await _pull(api, LIAM)

    assert (result["__typename"], result["code"], result["retryable"]) == (
        "WhmcsError",
        "WHMCS_AUTH_FAILED",
        False,
    )
    assert "getclientsdetails" in result["whmcsMessage"]
    assert await models.Client.all().count() == 0


async def test_pull_of_the_legacy_client_with_a_zero_creation_date(api: Api) -> None:
    result = await _pull(api, 1)

    assert result["whmcsClient"]["createdOn"] is None
    assert result["client"]["email"] == "margaret.hale@example.co.uk"
    assert result["client"]["sync"]["whmcsId"] == "1"


_DETAILS = {
    "id": 9,
    "firstname": "Carlos",
    "lastname": "Silva",
    "email": "carlos.silva@example.com.br",
    "companyname": "",
    "city": "São Paulo",
    "countrycode": "BR",
    "phonenumber": "11 5555 0100",
    "datecreated": "0000-00-00",
    "status": "Inactive",
}


@pytest.mark.parametrize(
    "body",
    [
        # 7.x: flattened only, every value a string, the client named by userid alone.
        {
            "result": "success",
            **{k: str(v) for k, v in _DETAILS.items() if k != "id"},
            "userid": "9",
        },
        {"result": "success", "client": _DETAILS},
    ],
    ids=["flat-7x", "nested-only"],
)
async def test_pull_reads_flattened_or_nested_details(api: Api, body: dict) -> None:
    api.sandbox.state.faults.push(
        Fault("raw", action="GetClientsDetails", body=json.dumps(body), content_type="text/json")
    )

    result = await _pull(api, 9)

    assert result["__typename"] == "PullClientSuccess", result
    assert result["whmcsClient"]["id"] == "9"
    assert result["whmcsClient"]["createdOn"] is None
    client = result["client"]
    assert (client["firstName"], client["city"], client["country"]) == ("Carlos", "São Paulo", "BR")
    assert (await models.SyncMap.get(local_id=int(client["id"]))).whmcs_id == 9


def _one_local_client(results: list[dict]) -> None:
    kinds = [r["__typename"] for r in results]
    assert set(kinds) <= {"PullClientSuccess", "SyncInProgressError"}, results
    successes = [r for r in results if r["__typename"] == "PullClientSuccess"]
    assert [r["operation"] for r in successes].count("CREATED") == 1
    assert len({r["client"]["id"] for r in successes}) == 1


async def test_concurrent_pulls_of_a_new_whmcs_client_create_one_local_client(api: Api) -> None:
    api.sandbox.state.latency_ms = 150

    answers = await asyncio.gather(*(api.gql(PULL, {"whmcsId": str(LIAM)}) for _ in range(4)))

    _one_local_client([a["pullClient"] for a in answers])
    assert await models.Client.filter(email_key=LIAM_EMAIL).count() == 1
    assert await models.SyncMap.filter(whmcs_id=LIAM).count() == 1


async def test_a_pull_overtaken_by_another_pull_of_the_same_client(api: Api) -> None:
    # One pull's read of WHMCS is slow: the other creates and links the local client meanwhile.
    api.sandbox.state.faults.push(Fault("delay", action="GetClientsDetails", seconds=0.3))

    answers = await asyncio.gather(*(api.gql(PULL, {"whmcsId": str(LIAM)}) for _ in range(2)))

    results = [a["pullClient"] for a in answers]
    _one_local_client(results)
    assert sorted(r["operation"] for r in results) == ["CREATED", "UPDATED"]
    assert await models.Client.filter(email_key=LIAM_EMAIL).count() == 1
    assert await models.SyncMap.filter(whmcs_id=LIAM).count() == 1


# --- linkClient, unlink, syncStatus --------------------------------------------------------


async def test_link_copies_no_data(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()

    result = await _link(api, client_id, LIAM)

    assert result["__typename"] == "LinkClientSuccess"
    assert (result["client"]["firstName"], result["whmcsClient"]["firstName"]) == ("Ana", "Liam")
    assert _actions(api) == ["GetClientsDetails"]  # checked to exist, nothing written
    row = await models.Client.get(id=int(client_id))
    assert (row.email, row.city) == ("ana.ruiz@example.org", "Madrid")
    assert api.sandbox.state.get_client(LIAM).city == "Cork"
    link = await models.SyncMap.get(local_id=int(client_id))
    assert (link.whmcs_id, link.status, link.last_direction) == (
        LIAM,
        models.SyncStatus.SYNCED,
        None,
    )
    assert link.snapshot is not None
    assert link.snapshot["city"] == "Cork"  # the base for later conflict checks: WHMCS's data
    sync = result["client"]["sync"]
    assert (sync["synced"], sync["whmcsId"]) == (True, str(LIAM))


async def test_link_of_unknown_records_is_not_found(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()

    local = await _link(api, "4040", LIAM)
    assert api.sandbox.state.calls == []
    whmcs = await _link(api, client_id, 999)

    assert (local["__typename"], local["side"], local["id"]) == ("NotFoundError", "LOCAL", "4040")
    assert (whmcs["__typename"], whmcs["side"], whmcs["id"]) == ("NotFoundError", "WHMCS", "999")
    assert await models.SyncMap.all().count() == 0


async def test_link_refuses_records_linked_already(api: Api, create_client: CreateClient) -> None:
    first = await create_client()
    second = await create_client(email="second@example.org")
    await _link(api, first, LIAM)

    local_taken = await _link(api, first, 2)
    whmcs_taken = await _link(api, second, LIAM)

    assert local_taken["__typename"] == "AlreadyLinkedError"
    assert (local_taken["linkedLocalId"], local_taken["linkedWhmcsId"]) == (first, str(LIAM))
    assert whmcs_taken["__typename"] == "AlreadyLinkedError"
    assert (whmcs_taken["linkedLocalId"], whmcs_taken["linkedWhmcsId"]) == (first, str(LIAM))
    assert [(m.local_id, m.whmcs_id) for m in await models.SyncMap.all()] == [(int(first), LIAM)]


async def test_link_whmcs_failure_is_a_typed_error(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()
    api.sandbox.state.faults.push(Fault("auth_failed"))

    result = await _link(api, client_id, LIAM)

    assert (result["__typename"], result["code"]) == ("WhmcsError", "WHMCS_AUTH_FAILED")
    assert await models.SyncMap.all().count() == 0


async def _held_by_another_process(local_id: str, whmcs_id: int | None) -> None:
    """The record's link row, its lease held by an operation running elsewhere."""
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)
    await models.SyncMap.update_or_create(
        entity_type=models.EntityType.CLIENT,
        local_id=int(local_id),
        defaults={
            "whmcs_id": whmcs_id,
            "status": models.SyncStatus.PENDING if whmcs_id is None else models.SyncStatus.SYNCED,
            "lease_token": "another-operation",
            "lease_expires_at": expires,
        },
    )


async def test_link_and_unlink_of_a_record_in_use_are_sync_in_progress(
    api: Api, create_client: CreateClient
) -> None:
    pushing = await create_client()  # a push is creating it in WHMCS right now
    linked = await create_client(email="linked@example.org")
    await _link(api, linked, 2)
    await _held_by_another_process(pushing, None)
    await _held_by_another_process(linked, 2)
    api.sandbox.state.calls.clear()

    link = await _link(api, pushing, LIAM)
    unlink = (await api.gql(UNLINK, {"id": linked}))["unlink"]

    assert (link["__typename"], link["code"]) == ("SyncInProgressError", "SYNC_IN_PROGRESS")
    assert (unlink["__typename"], unlink["code"]) == ("SyncInProgressError", "SYNC_IN_PROGRESS")
    assert api.sandbox.state.calls == []
    rows = {m.local_id: m for m in await models.SyncMap.all()}
    assert (rows[int(pushing)].whmcs_id, rows[int(linked)].whmcs_id) == (None, 2)
    assert {m.lease_token for m in rows.values()} == {"another-operation"}


async def test_unlink_removes_only_the_link(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()
    await _link(api, client_id, LIAM)
    api.sandbox.state.calls.clear()

    result = (await api.gql(UNLINK, {"id": client_id}))["unlink"]

    assert result == {
        "__typename": "UnlinkSuccess",
        "entityType": "CLIENT",
        "localId": client_id,
        "whmcsId": str(LIAM),
    }
    assert await models.SyncMap.all().count() == 0
    assert await models.Client.exists(id=int(client_id))
    assert api.sandbox.state.get_client(LIAM) is not None
    assert api.sandbox.state.calls == []
    status = (await api.gql(SYNC_STATUS, {"id": client_id}))["syncStatus"]
    assert (status["synced"], status["status"], status["whmcsId"]) == (False, None, None)


async def test_unlink_of_an_unlinked_or_unknown_client(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()

    unlinked = (await api.gql(UNLINK, {"id": client_id}))["unlink"]
    assert (unlinked["__typename"], unlinked["code"], unlinked["localId"]) == (
        "NotLinkedError",
        "NOT_LINKED",
        client_id,
    )
    # A local client that does not exist is not found, as in every other operation.
    for local_id in ("4040", "abc", "99999999999"):
        result = (await api.gql(UNLINK, {"id": local_id}))["unlink"]
        assert (result["__typename"], result["code"]) == ("NotFoundError", "NOT_FOUND")
        assert (result["entityType"], result["id"], result["side"]) == ("CLIENT", local_id, "LOCAL")
    assert api.sandbox.state.calls == []
    logged = await models.SyncLog.filter(operation=models.SyncOperation.UNLINK).values_list(
        "status", flat=True
    )
    assert logged == ["ERROR"] * 4  # every refusal is audited


async def test_unlink_removes_a_link_whose_local_client_is_gone(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    await _pull(api, LIAM, local_id=client_id)
    await models.Client.filter(id=int(client_id)).delete()  # by hand, around the API

    result = (await api.gql(UNLINK, {"id": client_id}))["unlink"]

    assert (result["__typename"], result["whmcsId"]) == ("UnlinkSuccess", str(LIAM))
    assert await models.SyncMap.all().count() == 0


async def test_sync_status(api: Api, create_client: CreateClient) -> None:
    linked = await create_client()
    unlinked = await create_client(email="unlinked@example.org")
    await _pull(api, LIAM, local_id=linked)

    on = (await api.gql(SYNC_STATUS, {"id": linked}))["syncStatus"]
    off = (await api.gql(SYNC_STATUS, {"id": unlinked}))["syncStatus"]
    unknown = (await api.gql(SYNC_STATUS, {"id": "4040"}))["syncStatus"]

    assert on["__typename"] == "SyncState"
    assert (on["synced"], on["status"], on["whmcsId"]) == (True, "SYNCED", str(LIAM))
    assert (on["lastDirection"], on["lastError"], on["pendingReason"]) == ("PULL", None, None)
    assert on["lastSyncedAt"] is not None
    assert (off["synced"], off["status"], off["whmcsId"]) == (False, None, None)
    assert (off["lastSyncedAt"], off["lastDirection"]) == (None, None)
    assert (unknown["__typename"], unknown["side"]) == ("NotFoundError", "LOCAL")
    assert unknown["id"] == "4040"


# --- pullClient of a linked client: the link is found and claimed in one statement ----------


async def test_pull_of_a_linked_client_held_elsewhere_is_sync_in_progress(api: Api) -> None:
    first = await _pull(api, LIAM)
    await _held_by_another_process(first["client"]["id"], LIAM)
    api.sandbox.state.calls.clear()

    result = await _pull(api, LIAM)

    assert (result["__typename"], result["code"]) == ("SyncInProgressError", "SYNC_IN_PROGRESS")
    assert api.sandbox.state.calls == []
    link = await models.SyncMap.get(whmcs_id=LIAM)
    assert (link.local_id, link.lease_token) == (int(first["client"]["id"]), "another-operation")


async def test_pull_of_a_client_whose_linked_local_client_is_gone(api: Api) -> None:
    first = await _pull(api, LIAM)
    await models.Client.filter(id=int(first["client"]["id"])).delete()  # by hand, around the API
    api.sandbox.state.calls.clear()

    result = await _pull(api, LIAM)

    # As before the one-statement claim: the link keeps the id, so no new local client takes
    # it; the claim taken on the way is given back.
    assert (result["__typename"], result["code"]) == ("SyncInProgressError", "SYNC_IN_PROGRESS")
    assert _actions(api) == ["GetClientsDetails"]
    assert await models.Client.all().count() == 0
    rows = [(m.local_id, m.whmcs_id, m.status, m.lease_token) for m in await models.SyncMap.all()]
    assert rows == [(int(first["client"]["id"]), LIAM, models.SyncStatus.SYNCED, None)]
