"""updateClient end to end, against the WHMCS sandbox over real HTTP."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import models
from integrations.whmcs.sandbox import Fault
from tests.conftest import Api
from tests.graph.conftest import CreateClient
from tests.graph.documents import PUSH, SYNC_STATUS, UPDATE, UPDATE_LOCAL

_NOT_FIELDS = {"action", "responsetype", "clientid"}


async def _linked(api: Api, create_client: CreateClient, **overrides: str) -> tuple[str, int]:
    """A local client pushed to WHMCS; the sandbox journal is cleared afterwards."""
    client_id = await create_client(**overrides)
    pushed = (await api.gql(PUSH, {"id": client_id}))["pushClient"]
    assert pushed["__typename"] == "PushClientSuccess", pushed
    api.sandbox.state.calls.clear()
    return client_id, int(pushed["whmcsId"])


async def _patch(api: Api, client_id: str, **fields: str | None) -> None:
    result = (await api.gql(UPDATE_LOCAL, {"id": client_id, "input": fields}))["updateLocalClient"]
    assert result["__typename"] == "Client", result


def _sent_fields(api: Api) -> list[set[str]]:
    return [set(c) - _NOT_FIELDS for c in api.sandbox.state.calls_for("UpdateClient")]


async def _link(client_id: str) -> models.SyncMap:
    return await models.SyncMap.get(local_id=int(client_id))


async def test_only_the_fields_that_differ_are_sent(api: Api, create_client: CreateClient) -> None:
    client_id, whmcs_id = await _linked(api, create_client)
    await _patch(api, client_id, city="Barcelona", phoneNumber="+34 600 999 888")

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert result["__typename"] == "UpdateClientSuccess"
    assert (result["whmcsId"], result["changedFields"]) == (str(whmcs_id), ["city", "phonenumber"])
    assert [c["action"] for c in api.sandbox.state.calls] == ["GetClientsDetails", "UpdateClient"]
    assert _sent_fields(api) == [{"city", "phonenumber"}]
    assert api.sandbox.state.calls_for("UpdateClient")[0]["clientid"] == str(whmcs_id)
    stored = api.sandbox.state.get_client(whmcs_id)
    assert (stored.city, stored.phonenumber, stored.postcode) == (
        "Barcelona",
        "+34 600 999 888",
        "28013",
    )
    sync = result["client"]["sync"]
    assert (sync["status"], sync["synced"], sync["lastDirection"]) == ("SYNCED", True, "PUSH")
    link = await _link(client_id)
    assert link.snapshot is not None
    assert (link.snapshot["city"], link.snapshot["phonenumber"]) == ("Barcelona", "+34 600 999 888")
    assert link.lease_token is None


async def test_nothing_differs_nothing_is_written(api: Api, create_client: CreateClient) -> None:
    client_id, whmcs_id = await _linked(api, create_client)
    synced_before = (await _link(client_id)).last_synced_at

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert result["__typename"] == "UpdateClientSuccess"
    assert (result["whmcsId"], result["changedFields"]) == (str(whmcs_id), [])
    assert [c["action"] for c in api.sandbox.state.calls] == ["GetClientsDetails"]
    link = await _link(client_id)
    assert link.status == models.SyncStatus.SYNCED
    assert synced_before is not None
    assert link.last_synced_at is not None
    assert link.last_synced_at >= synced_before


async def test_a_whmcs_change_the_update_would_overwrite_is_a_conflict(
    api: Api, create_client: CreateClient
) -> None:
    client_id, whmcs_id = await _linked(api, create_client)
    await _patch(api, client_id, city="Barcelona", postcode="08001")
    api.sandbox.state.update_client(whmcs_id, city="Valencia")  # someone edited WHMCS

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert result["__typename"] == "ConflictError"
    assert result["code"] == "CONFLICT"
    assert result["diffs"] == [
        {"field": "city", "local": "Barcelona", "whmcs": "Valencia", "base": "Madrid"}
    ]
    assert "force: true" in result["message"]
    assert api.sandbox.state.calls_for("UpdateClient") == []  # nothing written to WHMCS...
    stored = api.sandbox.state.get_client(whmcs_id)
    assert (stored.city, stored.postcode) == ("Valencia", "28013")
    link = await _link(client_id)  # ...nor locally
    assert link.snapshot is not None
    assert (link.snapshot["city"], link.status) == ("Madrid", models.SyncStatus.SYNCED)


async def test_force_overwrites_the_whmcs_change(api: Api, create_client: CreateClient) -> None:
    client_id, whmcs_id = await _linked(api, create_client)
    await _patch(api, client_id, city="Barcelona")
    api.sandbox.state.update_client(whmcs_id, city="Valencia")

    result = (await api.gql(UPDATE, {"id": client_id, "force": True}))["updateClient"]

    assert result["__typename"] == "UpdateClientSuccess"
    assert result["changedFields"] == ["city"]
    assert _sent_fields(api) == [{"city"}]
    assert api.sandbox.state.get_client(whmcs_id).city == "Barcelona"
    link = await _link(client_id)
    assert link.snapshot is not None
    assert link.snapshot["city"] == "Barcelona"


async def test_whmcs_changes_the_update_does_not_touch_are_no_conflict(
    api: Api, create_client: CreateClient
) -> None:
    client_id, whmcs_id = await _linked(api, create_client)
    await _patch(api, client_id, city="Barcelona", phoneNumber="+34 600 999 888")
    # WHMCS changed a field nobody maps, and one to the very value the local client has.
    api.sandbox.state.update_client(whmcs_id, notes="VIP", phonenumber="+34 600 999 888")

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert result["__typename"] == "UpdateClientSuccess"
    assert result["changedFields"] == ["city"]
    assert _sent_fields(api) == [{"city"}]
    stored = api.sandbox.state.get_client(whmcs_id)
    assert (stored.city, stored.notes) == ("Barcelona", "VIP")


@pytest.fixture
def company_pull_only(tmp_path: Path, settings_env: dict[str, str]) -> None:
    """A field mapping where companyname only travels WHMCS -> local (request before `api`)."""
    path = tmp_path / "mapping.toml"
    rules = [
        f'{w} = "{lo}"'
        for w, lo in (
            ("firstname", "first_name"),
            ("lastname", "last_name"),
            ("email", "email"),
            ("phonenumber", "phone_number"),
            ("address1", "address1"),
            ("city", "city"),
            ("state", "state"),
            ("postcode", "postcode"),
            ("country", "country"),
        )
    ]
    rules.append('companyname = { local = "company_name", direction = "pull" }')
    path.write_text("[client]\n" + "\n".join(rules) + "\n", encoding="utf-8")
    settings_env["WHMCS_FIELD_MAPPING_FILE"] = str(path)


async def test_a_whmcs_change_to_a_pull_only_field_is_no_conflict(
    company_pull_only: None, api: Api, create_client: CreateClient
) -> None:
    client_id, whmcs_id = await _linked(api, create_client)
    await _patch(api, client_id, city="Barcelona", companyName="Local Name SL")
    api.sandbox.state.update_client(whmcs_id, companyname="Renamed In WHMCS")

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert result["__typename"] == "UpdateClientSuccess"
    assert result["changedFields"] == ["city"]
    assert api.sandbox.state.get_client(whmcs_id).companyname == "Renamed In WHMCS"


async def test_unlinked_client_is_not_linked(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert result["__typename"] == "NotLinkedError"
    assert (result["code"], result["localId"]) == ("NOT_LINKED", client_id)
    assert api.sandbox.state.calls == []
    assert await models.SyncMap.all().count() == 0  # the claim left no row behind


async def test_unknown_local_client_is_not_found(api: Api) -> None:
    result = (await api.gql(UPDATE, {"id": "4040"}))["updateClient"]

    assert result["__typename"] == "NotFoundError"
    assert (result["side"], result["id"], result["entityType"]) == ("LOCAL", "4040", "CLIENT")
    assert api.sandbox.state.calls == []


async def test_deleted_whmcs_client_is_not_found_in_whmcs(
    api: Api, create_client: CreateClient
) -> None:
    client_id, whmcs_id = await _linked(api, create_client)
    await _patch(api, client_id, city="Barcelona")
    api.sandbox.state.delete_client(whmcs_id)

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert result["__typename"] == "NotFoundError"
    assert (result["side"], result["id"]) == ("WHMCS", str(whmcs_id))
    assert api.sandbox.state.calls_for("UpdateClient") == []


async def test_server_error_on_the_write_is_retryable_and_leaves_the_link_pending(
    api: Api, create_client: CreateClient
) -> None:
    client_id, whmcs_id = await _linked(api, create_client)
    await _patch(api, client_id, city="Barcelona")
    api.sandbox.state.faults.push(Fault("html_500", action="UpdateClient"))

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert (result["__typename"], result["code"], result["retryable"]) == (
        "WhmcsError",
        "WHMCS_UNAVAILABLE",
        True,
    )
    assert api.sandbox.state.get_client(whmcs_id).city == "Madrid"  # failed before acting
    status = (await api.gql(SYNC_STATUS, {"id": client_id}))["syncStatus"]
    assert status["status"] == "PENDING"  # an HTTP 500 after a write: WHMCS may have acted
    assert "UpdateClient" in status["pendingReason"]

    again = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert (again["__typename"], again["changedFields"]) == ("UpdateClientSuccess", ["city"])
    assert api.sandbox.state.get_client(whmcs_id).city == "Barcelona"
    assert again["client"]["sync"]["status"] == "SYNCED"


async def test_auth_failure_is_typed_and_writes_nothing(
    api: Api, create_client: CreateClient
) -> None:
    client_id, whmcs_id = await _linked(api, create_client)
    await _patch(api, client_id, city="Barcelona")
    api.sandbox.state.faults.push(Fault("invalid_ip"))

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert (result["__typename"], result["code"], result["retryable"]) == (
        "WhmcsError",
        "WHMCS_AUTH_FAILED",
        False,
    )
    assert result["whmcsMessage"].startswith("Invalid IP")
    assert api.sandbox.state.calls_for("UpdateClient") == []
    assert api.sandbox.state.get_client(whmcs_id).city == "Madrid"
    assert (await _link(client_id)).status == models.SyncStatus.SYNCED


async def _update_applied_without_answer(
    api: Api, create_client: CreateClient
) -> tuple[str, int, dict[str, Any]]:
    """Set city to Barcelona; WHMCS applies the UpdateClient but answers after the timeout."""
    client_id, whmcs_id = await _linked(api, create_client)
    await _patch(api, client_id, city="Barcelona")
    api.sandbox.state.faults.push(
        Fault("delay", action="UpdateClient", seconds=1.0, after_commit=True)
    )
    first: dict[str, Any] = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]
    return client_id, whmcs_id, first


@pytest.mark.parametrize("settings_env", [{"WHMCS_API_TIMEOUT": "0.3"}], indirect=True)
async def test_timed_out_update_is_pending_then_reconciled(
    api: Api, create_client: CreateClient
) -> None:
    client_id, whmcs_id, first = await _update_applied_without_answer(api, create_client)

    assert (first["__typename"], first["code"], first["retryable"]) == (
        "WhmcsError",
        "WHMCS_UNAVAILABLE",
        True,
    )
    status = (await api.gql(SYNC_STATUS, {"id": client_id}))["syncStatus"]
    assert (status["status"], status["whmcsId"]) == ("PENDING", str(whmcs_id))
    assert "UpdateClient got no answer" in status["pendingReason"]
    assert api.sandbox.state.get_client(whmcs_id).city == "Barcelona"  # WHMCS did apply it

    second = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert second["__typename"] == "UpdateClientSuccess"
    assert second["changedFields"] == []  # read fresh: already applied, nothing to send
    assert len(api.sandbox.state.calls_for("UpdateClient")) == 1
    assert len(api.sandbox.state.calls_for("GetClientsDetails")) == 2
    status = (await api.gql(SYNC_STATUS, {"id": client_id}))["syncStatus"]
    assert (status["status"], status["synced"], status["pendingReason"]) == ("SYNCED", True, None)
    link = await _link(client_id)
    assert link.snapshot is not None
    assert link.snapshot["city"] == "Barcelona"


@pytest.mark.parametrize("settings_env", [{"WHMCS_API_TIMEOUT": "0.3"}], indirect=True)
async def test_our_own_unconfirmed_write_is_no_conflict(
    api: Api, create_client: CreateClient
) -> None:
    client_id, whmcs_id, first = await _update_applied_without_answer(api, create_client)
    assert first["code"] == "WHMCS_UNAVAILABLE"
    link = await _link(client_id)
    assert link.unconfirmed == {"city": "Barcelona"}  # what the unanswered write sent
    await _patch(api, client_id, city="Valencia")  # changed again before the retry

    second = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    # WHMCS holds Barcelona: our own write, not somebody else's change, so no conflict.
    assert second["__typename"] == "UpdateClientSuccess"
    assert second["changedFields"] == ["city"]
    assert api.sandbox.state.get_client(whmcs_id).city == "Valencia"
    link = await _link(client_id)
    assert link.unconfirmed is None
    assert link.snapshot is not None
    assert link.snapshot["city"] == "Valencia"


async def test_email_of_another_whmcs_client_is_a_validation_error(
    api: Api, create_client: CreateClient
) -> None:
    client_id, whmcs_id = await _linked(api, create_client)
    await _patch(api, client_id, email="bob@example.com")  # WHMCS client 2 has it

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert result["__typename"] == "ValidationError"
    assert result["fields"] == [
        {"field": "email", "message": "WHMCS refused it: Duplicate Email Address"}
    ]
    assert api.sandbox.state.get_client(whmcs_id).email == "ana.ruiz@example.org"
    link = await _link(client_id)
    assert link.status == models.SyncStatus.SYNCED  # a refusal: WHMCS did nothing
    assert link.snapshot is not None
    assert link.snapshot["email"] == "ana.ruiz@example.org"


async def test_concurrent_updates_write_once(api: Api, create_client: CreateClient) -> None:
    client_id, whmcs_id = await _linked(api, create_client)
    await _patch(api, client_id, city="Barcelona")
    api.sandbox.state.latency_ms = 150

    results = await asyncio.gather(*(api.gql(UPDATE, {"id": client_id}) for _ in range(2)))

    kinds = sorted(r["updateClient"]["__typename"] for r in results)
    assert kinds == ["SyncInProgressError", "UpdateClientSuccess"]
    assert len(api.sandbox.state.calls_for("UpdateClient")) == 1
    assert api.sandbox.state.get_client(whmcs_id).city == "Barcelona"
    assert (await _link(client_id)).lease_token is None
