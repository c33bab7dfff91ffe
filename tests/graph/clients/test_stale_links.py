"""A WHMCS id that is already linked (issue 11, item 2), end to end over HTTP.

WHMCS is the sandbox on its own port, reached as a configured WHMCS_API_URL and driven through
its control endpoint: `reset` puts it back to its seed data, so it hands ids out again, as the
demo's sandbox did after a restart while ./data kept the links (or as a WHMCS restored from a
backup does). Whenever WHMCS then hands back an id another local client is linked to, the answer
is a typed member naming both local clients and the id, nothing stays PENDING, the client WHMCS
really holds under that id ends up linked and the stale link is marked ERROR with its reason,
both steps audited. A link whose WHMCS client is gone, or holds another e-mail, is reported
(NotFoundError, ConflictError on the e-mail) and marked, never followed.
"""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

import models
from integrations.whmcs.sandbox import SandboxConfig, start_sandbox
from integrations.whmcs.sandbox.runner import RunningSandbox
from tests.conftest import Api, running_app
from tests.graph.documents import COMPLETE_CLIENT, CREATE_LOCAL, SYNC_FIELDS, UPDATE_LOCAL

IDENTIFIER, SECRET = "stale-links-ident", "stale-links-secret-0123456789"
STALE = "staleLink { localId whmcsId reason released }"
ALREADY = (
    "... on AlreadyLinkedError { linkedLocalId: localId linkedWhmcsId: whmcsId requestedLocalId }"
)
ERRORS = f"... on Error {{ code message }} {ALREADY}"

PUSH = f"""
mutation Push($id: ID!, $linkExisting: Boolean! = false) {{
  pushClient(clientId: $id, linkExisting: $linkExisting) {{
    __typename
    ... on PushClientSuccess {{ operation whmcsId {STALE} client {{ id {SYNC_FIELDS} }} }}
    ... on DuplicateInWhmcsError {{ whmcsId {STALE} }}
    {ERRORS}
  }}
}}
"""
PULL = f"""
mutation Pull($whmcsId: ID!, $localId: ID) {{
  pullClient(whmcsId: $whmcsId, localId: $localId) {{
    __typename
    ... on PullClientSuccess {{ operation {STALE} client {{ id email {SYNC_FIELDS} }} }}
    ... on ConflictError {{ diffs {{ field localField local whmcs base }} }}
    ... on NotFoundError {{ id side }}
    {ERRORS}
  }}
}}
"""
LINK = f"""
mutation Link($id: ID!, $whmcsId: ID!) {{
  linkClient(clientId: $id, whmcsId: $whmcsId) {{
    __typename
    ... on LinkClientSuccess {{ {STALE} client {{ id {SYNC_FIELDS} }} }}
    ... on NotFoundError {{ id side }}
    {ERRORS}
  }}
}}
"""
UPDATE = f"""
mutation Update($id: ID!, $force: Boolean! = false) {{
  updateClient(clientId: $id, force: $force) {{
    __typename
    ... on UpdateClientSuccess {{ whmcsId changedFields }}
    ... on ConflictError {{ diffs {{ field local whmcs base }} }}
    ... on NotFoundError {{ id side }}
    {ERRORS}
  }}
}}
"""
STATUS = """
query Status($id: ID!) {
  syncStatus(localId: $id) { ... on SyncState { status whmcsId lastError pendingReason } }
  stats { totalSynced totalPending totalErrors }
}
"""


class Whmcs:
    """The sandbox, driven as another process would: through POST /_sandbox/control."""

    def __init__(self, running: RunningSandbox) -> None:
        self.running = running
        assert running.control_url is not None
        self._url = running.control_url

    async def control(self, op: str, **args: Any) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            response = await http.post(self._url, json={"op": op, **args})
        body: dict[str, Any] = response.json()
        assert (response.status_code, body["ok"]) == (200, True), body
        return body

    async def reset(self) -> None:
        await self.control("reset")

    async def add_client(self, email: str, first: str = "Someone") -> int:
        fields = {"firstname": first, "lastname": "Else", "email": email}
        return int((await self.control("add_client", fields=fields))["clientid"])

    async def calls(self, action: str) -> list[dict[str, str]]:
        calls: list[dict[str, str]] = (await self.control("calls", action=action))["calls"]
        return calls


@pytest.fixture
async def whmcs() -> AsyncIterator[Whmcs]:
    config = SandboxConfig(identifier=IDENTIFIER, secret=SECRET)
    async with await start_sandbox(config, control=True) as running:
        yield Whmcs(running)


@pytest.fixture
async def api(db: str, whmcs: Whmcs) -> AsyncIterator[Api]:
    env = {
        "WHMCS_API_URL": whmcs.running.url,
        "WHMCS_API_IDENTIFIER": IDENTIFIER,
        "WHMCS_API_SECRET": SECRET,
        "WHMCS_API_TIMEOUT": "0.5",
        "WHMCS_CACHE_ENABLED": "false",
    }
    async with running_app(env) as api:
        yield api


async def _client(api: Api, email: str, **fields: str) -> str:
    data = await api.gql(CREATE_LOCAL, {"input": {**COMPLETE_CLIENT, "email": email, **fields}})
    assert data["createLocalClient"]["__typename"] == "Client", data
    client_id: str = data["createLocalClient"]["id"]
    return client_id


async def _push(api: Api, client_id: str, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await api.gql(PUSH, {"id": client_id, **variables}))["pushClient"]
    return result


async def _pushed(api: Api, email: str) -> tuple[str, str]:
    """A local client pushed to WHMCS: (local id, WHMCS id)."""
    client_id = await _client(api, email)
    pushed = await _push(api, client_id)
    assert pushed["__typename"] == "PushClientSuccess", pushed
    return client_id, pushed["whmcsId"]


async def _linked_to_liam(api: Api) -> str:
    """Ana, linked to WHMCS client 7 (Liam: a link that fits); returns her local id."""
    ana = await _client(api, "ana@example.org")
    linked = await api.gql(LINK, {"id": ana, "whmcsId": "7"})
    assert linked["linkClient"]["__typename"] == "LinkClientSuccess", linked
    return ana


async def _liam_twice(api: Api) -> tuple[str, str]:
    """Ana linked to Liam with her local e-mail changed (the same person), and Bea, a local
    client with Liam's e-mail: (Ana, Bea)."""
    ana = await _linked_to_liam(api)
    await api.gql(UPDATE_LOCAL, {"id": ana, "input": {"email": "ana.new@example.org"}})
    return ana, await _client(api, "liam.obrien@example.ie")


def _names_both(result: dict[str, Any], linked: str, requested: str) -> None:
    assert result["__typename"] == "AlreadyLinkedError", result
    assert (result["linkedLocalId"], result["linkedWhmcsId"], result["requestedLocalId"]) == (
        linked,
        "7",
        requested,
    )


async def _reused_by(api: Api, whmcs: Whmcs, email: str) -> tuple[str, str]:
    """Ana pushed, then WHMCS reset: its next client (``email``) gets Ana's old id."""
    ana, reused = await _pushed(api, "ana@example.org")
    await whmcs.reset()
    assert await whmcs.add_client(email, first=email.split("@")[0].capitalize()) == int(reused)
    return ana, reused


async def _status(api: Api, client_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data = await api.gql(STATUS, {"id": client_id})
    return data["syncStatus"], data["stats"]


async def _notes(local_id: str) -> list[tuple[str, str | None, str]]:
    """The audit rows about one local client that no WHMCS call wrote: the operation's steps."""
    rows = await models.SyncLog.filter(local_id=int(local_id), whmcs_action__isnull=True)
    return [
        (str(r.status), r.whmcs_id and str(r.whmcs_id), r.error_message or str(r.response_data))
        for r in sorted(rows, key=lambda r: r.id)
    ]


# --- the AddClient answer ------------------------------------------------------------------


async def test_addclient_handing_back_a_linked_id_links_the_new_client_and_marks_the_old(
    api: Api, whmcs: Whmcs
) -> None:
    ana, reused = await _pushed(api, "ana@example.org")
    await whmcs.reset()  # the demo restarted: WHMCS forgot Ana, the bridge did not
    bea = await _client(api, "bea@example.org", firstName="Bea")

    result = await _push(api, bea)

    assert (result["__typename"], result["operation"], result["whmcsId"]) == (
        "PushClientSuccess",
        "CREATED",
        reused,  # WHMCS handed the same id out again
    )
    stale = result["staleLink"]
    assert (stale["localId"], stale["whmcsId"], stale["released"]) == (ana, reused, True)
    assert "AddClient gave WHMCS client" in stale["reason"]
    assert result["client"]["sync"]["status"] == "SYNCED"
    ana_status, stats = await _status(api, ana)
    assert (ana_status["status"], ana_status["whmcsId"]) == ("ERROR", None)
    assert ana_status["lastError"] == stale["reason"]
    assert f"linked to local client {bea} now" in ana_status["lastError"]
    assert (stats["totalSynced"], stats["totalPending"], stats["totalErrors"]) == (1, 0, 1)
    assert [
        (m.local_id, m.whmcs_id) for m in await models.SyncMap.filter(whmcs_id=int(reused))
    ] == [(int(bea), int(reused))]
    # Both steps are in the audit log, under the push that took them.
    assert await _notes(ana) == [
        (
            "ERROR",
            reused,
            f"Link of local client {ana} to WHMCS client "
            f"{reused} marked ERROR and released: {stale['reason']}",
        )
    ]
    [(status, whmcs_id, detail)] = await _notes(bea)
    assert (status, whmcs_id) == ("SUCCESS", reused)
    assert f"replacing the stale link of local client {ana}" in detail
    # Ana is pushed again: a new WHMCS client, linked.
    again = await _push(api, ana)
    assert again["__typename"] == "PushClientSuccess"
    assert (again["operation"], again["staleLink"]) == ("CREATED", None)
    assert again["whmcsId"] != reused


async def test_a_busy_stale_link_leaves_the_create_pending_then_it_is_linked(
    api: Api, whmcs: Whmcs
) -> None:
    ana, reused = await _pushed(api, "ana@example.org")
    await whmcs.reset()
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    await models.SyncMap.filter(local_id=int(ana)).update(  # another operation holds Ana
        lease_token="held-by-another-operation", lease_expires_at=later
    )
    bea = await _client(api, "bea@example.org")

    busy = await _push(api, bea)

    assert (busy["__typename"], busy["code"]) == ("SyncInProgressError", "SYNC_IN_PROGRESS")
    assert f"AddClient created WHMCS client {reused}" in busy["message"]
    status, _ = await _status(api, bea)
    assert status["status"] == "PENDING"  # known to WHMCS, not linked yet: reconciled next
    await models.SyncMap.filter(local_id=int(ana)).update(lease_token=None, lease_expires_at=None)

    linked = await _push(api, bea)

    assert (linked["__typename"], linked["whmcsId"]) == ("PushClientSuccess", reused)
    assert linked["staleLink"]["localId"] == ana
    assert len(await whmcs.calls("AddClient")) == 1  # since the reset: Bea's, never twice
    assert (await _status(api, bea))[1]["totalPending"] == 0


# --- the e-mail lookup of a push, and of a reconciliation -----------------------------------


async def test_the_email_lookup_finds_a_stale_link_marked_then_moved_by_link_existing(
    api: Api, whmcs: Whmcs
) -> None:
    ana, reused = await _reused_by(api, whmcs, "bea@example.org")
    bea = await _client(api, "bea@example.org")

    duplicate = await _push(api, bea)

    assert (duplicate["__typename"], duplicate["whmcsId"]) == ("DuplicateInWhmcsError", reused)
    stale = duplicate["staleLink"]
    assert (stale["localId"], stale["whmcsId"], stale["released"]) == (ana, reused, False)
    assert "now has the e-mail bea@example.org, not ana@example.org" in stale["reason"]
    ana_status, stats = await _status(api, ana)
    assert (ana_status["status"], ana_status["whmcsId"]) == ("ERROR", reused)  # still names it
    assert (stats["totalPending"], stats["totalErrors"]) == (0, 1)

    linked = await _push(api, bea, linkExisting=True)

    assert (linked["__typename"], linked["operation"], linked["whmcsId"]) == (
        "PushClientSuccess",
        "LINKED",
        reused,
    )
    assert (linked["staleLink"]["localId"], linked["staleLink"]["released"]) == (ana, True)
    assert (await _status(api, ana))[0]["whmcsId"] is None
    assert await whmcs.calls("AddClient") == []  # linked, never created


async def test_the_email_lookup_finds_a_link_that_still_fits_and_names_both_clients(
    api: Api,
) -> None:
    ana, bea = await _liam_twice(api)

    result = await _push(api, bea)

    _names_both(result, ana, bea)
    ana_status, stats = await _status(api, ana)
    assert ana_status["status"] == "SYNCED"  # a link that fits is left alone
    assert (stats["totalPending"], stats["totalErrors"]) == (0, 0)
    assert not await models.SyncMap.exists(local_id=int(bea))


async def test_a_reconciled_create_takes_the_id_from_a_stale_link(api: Api, whmcs: Whmcs) -> None:
    ana, reused = await _pushed(api, "ana@example.org")
    await whmcs.reset()
    bea = await _client(api, "bea@example.org")
    await whmcs.control(
        "push_fault",
        fault={"kind": "delay", "action": "AddClient", "seconds": 1.5, "after_commit": True},
    )
    lost = await _push(api, bea)  # WHMCS created Bea under the reused id; the answer was lost
    assert lost["code"] == "WHMCS_UNAVAILABLE"
    assert (await _status(api, bea))[0]["status"] == "PENDING"

    reconciled = await _push(api, bea)

    assert (reconciled["__typename"], reconciled["operation"], reconciled["whmcsId"]) == (
        "PushClientSuccess",
        "CREATED",
        reused,
    )
    assert (reconciled["staleLink"]["localId"], reconciled["staleLink"]["released"]) == (ana, True)
    assert len(await whmcs.calls("AddClient")) == 1  # since the reset: Bea's, never twice
    ana_status, stats = await _status(api, ana)
    assert (ana_status["status"], ana_status["whmcsId"]) == ("ERROR", None)
    assert (stats["totalPending"], stats["totalErrors"]) == (0, 1)


async def _stale_pending(local_id: str) -> None:
    """A create whose answer never came and whose holder is gone."""
    await models.SyncMap.create(
        entity_type=models.EntityType.CLIENT,
        local_id=int(local_id),
        status=models.SyncStatus.PENDING,
        last_error="AddClient got no answer (timeout); WHMCS may have applied it.",
    )


@pytest.mark.parametrize("operation", ["push", "update"])
async def test_a_reconciliation_that_finds_a_fitting_link_elsewhere_settles_as_error(
    api: Api, operation: str
) -> None:
    ana, bea = await _liam_twice(api)
    await _stale_pending(bea)

    if operation == "push":
        result = await _push(api, bea)
    else:
        result = (await api.gql(UPDATE, {"id": bea}))["updateClient"]

    _names_both(result, ana, bea)
    bea_status, stats = await _status(api, bea)
    assert bea_status["status"] == "ERROR"  # settled: the create never happened
    assert "nothing was created" in bea_status["lastError"]
    assert stats["totalPending"] == 0


async def test_an_update_reconciliation_that_finds_nothing_settles_as_error(api: Api) -> None:
    bea = await _client(api, "nobody.in.whmcs@example.org")
    await _stale_pending(bea)

    result = (await api.gql(UPDATE, {"id": bea}))["updateClient"]

    assert (result["__typename"], result["code"]) == ("NotLinkedError", "NOT_LINKED")
    status, stats = await _status(api, bea)
    assert status["status"] == "ERROR"
    assert "nothing was created" in status["lastError"]
    assert stats["totalPending"] == 0


# --- a pull's target ------------------------------------------------------------------------


async def test_a_pull_into_another_client_takes_the_id_from_a_stale_link(
    api: Api, whmcs: Whmcs
) -> None:
    ana, reused = await _reused_by(api, whmcs, "carla@example.org")
    carla = await _client(api, "carla.here@example.org")

    result = (await api.gql(PULL, {"whmcsId": reused, "localId": carla}))["pullClient"]

    assert (result["__typename"], result["operation"]) == ("PullClientSuccess", "UPDATED")
    assert result["client"]["email"] == "carla@example.org"
    assert result["client"]["sync"]["whmcsId"] == reused
    assert (result["staleLink"]["localId"], result["staleLink"]["released"]) == (ana, True)
    assert (await _status(api, ana))[0]["status"] == "ERROR"
    assert [s for s, _, _ in await _notes(carla)] == ["SUCCESS"]


async def test_a_pull_into_another_client_over_a_fitting_link_names_both(api: Api) -> None:
    ana = await _linked_to_liam(api)
    other = await _client(api, "other@example.org")

    result = (await api.gql(PULL, {"whmcsId": "7", "localId": other}))["pullClient"]

    _names_both(result, ana, other)
    assert (await models.Client.get(id=int(other))).email == "other@example.org"


async def test_a_pull_never_follows_a_link_to_another_person(api: Api, whmcs: Whmcs) -> None:
    ana, reused = await _reused_by(api, whmcs, "carla@example.org")

    result = (await api.gql(PULL, {"whmcsId": reused}))["pullClient"]

    assert (result["__typename"], result["code"]) == ("ConflictError", "CONFLICT")
    assert result["diffs"] == [
        {
            "field": "email",
            "localField": "email",
            "local": "ana@example.org",
            "whmcs": "carla@example.org",
            "base": "ana@example.org",
        }
    ]
    assert f"pull with localId: {ana}" in result["message"]
    row = await models.Client.get(id=int(ana))
    assert (row.email, row.first_name) == ("ana@example.org", "Ana")  # nothing copied
    ana_status, stats = await _status(api, ana)
    assert (ana_status["status"], ana_status["whmcsId"]) == ("ERROR", reused)
    assert "may hold another person" in ana_status["lastError"]
    assert (stats["totalPending"], stats["totalErrors"]) == (0, 1)
    assert [s for s, _, _ in await _notes(ana)] == ["ERROR", "ERROR"]  # marked; the pull failed

    # The same person after all: a pull naming the local client accepts WHMCS's data.
    accepted = (await api.gql(PULL, {"whmcsId": reused, "localId": ana}))["pullClient"]
    assert accepted["__typename"] == "PullClientSuccess"
    assert (accepted["client"]["email"], accepted["client"]["sync"]["status"]) == (
        "carla@example.org",
        "SYNCED",
    )


async def test_a_pull_of_a_linked_client_that_is_gone_is_not_found_and_marked(
    api: Api, whmcs: Whmcs
) -> None:
    ana, gone = await _pushed(api, "ana@example.org")
    await whmcs.reset()  # nobody holds that id now

    result = (await api.gql(PULL, {"whmcsId": gone}))["pullClient"]

    assert (result["__typename"], result["id"], result["side"]) == ("NotFoundError", gone, "WHMCS")
    status, stats = await _status(api, ana)
    assert (status["status"], status["whmcsId"]) == ("ERROR", gone)
    assert "no longer exists" in status["lastError"]
    assert stats["totalPending"] == 0


# --- a link ---------------------------------------------------------------------------------


async def test_a_link_takes_the_id_from_a_stale_link(api: Api, whmcs: Whmcs) -> None:
    ana, reused = await _reused_by(api, whmcs, "carla@example.org")
    carla = await _client(api, "carla@example.org")

    result = (await api.gql(LINK, {"id": carla, "whmcsId": reused}))["linkClient"]

    assert result["__typename"] == "LinkClientSuccess"
    assert (result["staleLink"]["localId"], result["staleLink"]["released"]) == (ana, True)
    assert result["client"]["sync"]["whmcsId"] == reused
    assert (await _status(api, ana))[0]["whmcsId"] is None


async def test_a_link_over_a_fitting_link_names_both(api: Api) -> None:
    ana = await _linked_to_liam(api)
    other = await _client(api, "other@example.org")

    result = (await api.gql(LINK, {"id": other, "whmcsId": "7"}))["linkClient"]

    _names_both(result, ana, other)
    assert (await _status(api, ana))[0]["status"] == "SYNCED"


async def test_a_link_to_a_gone_client_is_not_found_and_marks_the_old_link(
    api: Api, whmcs: Whmcs
) -> None:
    ana, gone = await _pushed(api, "ana@example.org")
    await whmcs.reset()
    other = await _client(api, "other@example.org")

    result = (await api.gql(LINK, {"id": other, "whmcsId": gone}))["linkClient"]

    assert (result["__typename"], result["side"]) == ("NotFoundError", "WHMCS")
    assert (await _status(api, ana))[0]["status"] == "ERROR"
    assert not await models.SyncMap.exists(local_id=int(other))


# --- an update ------------------------------------------------------------------------------


async def test_an_update_of_a_client_that_is_gone_is_not_found_and_marked(
    api: Api, whmcs: Whmcs
) -> None:
    ana, gone = await _pushed(api, "ana@example.org")
    await whmcs.reset()

    result = (await api.gql(UPDATE, {"id": ana}))["updateClient"]

    assert (result["__typename"], result["id"], result["side"]) == ("NotFoundError", gone, "WHMCS")
    status, _ = await _status(api, ana)
    assert (status["status"], status["whmcsId"]) == ("ERROR", gone)
    assert await whmcs.calls("UpdateClient") == []


async def test_an_update_never_overwrites_another_person_unless_forced(
    api: Api, whmcs: Whmcs
) -> None:
    ana, reused = await _reused_by(api, whmcs, "carla@example.org")

    result = (await api.gql(UPDATE, {"id": ana}))["updateClient"]

    assert (result["__typename"], result["code"]) == ("ConflictError", "CONFLICT")
    assert {
        "field": "email",
        "local": "ana@example.org",
        "whmcs": "carla@example.org",
        "base": "ana@example.org",
    } in result["diffs"]
    assert "may hold another person" in result["message"]
    assert await whmcs.calls("UpdateClient") == []
    status, _ = await _status(api, ana)
    assert (status["status"], status["whmcsId"]) == ("ERROR", reused)

    forced = (await api.gql(UPDATE, {"id": ana, "force": True}))["updateClient"]
    assert forced["__typename"] == "UpdateClientSuccess"  # force still means: overwrite
    assert (await _status(api, ana))[0]["status"] == "SYNCED"
