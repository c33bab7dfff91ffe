"""Free text has a cap that fits its meaning; past it, BAD_USER_INPUT and nothing else happens.

Before: a 98 KB `whmcsClients` search became a WHMCS request, a cache key and an audit row
(300 of them grew the server by 114 MB and SQLite by 29 MB), a 50 KB `clients` search made
SQLite fail ("LIKE or GLOB pattern too complex"), and a long id was echoed into the audit log
by the not-found message.
"""

from __future__ import annotations

from typing import Any

import pytest

import models
from integrations.whmcs.cache import MemoryBackend, WhmcsReadCache
from integrations.whmcs.records import WhmcsClientPage
from tests.conftest import Api

LONG = "a" * 98_000


def _refused(body: dict[str, Any], argument: str) -> None:
    assert not any((body["data"] or {}).values()), body  # null, or the nullable field null
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert argument in error["message"]


ARGUMENTS = {
    "whmcsClients search": (
        "query($s: String) { whmcsClients(search: $s) { __typename } }",
        "search",
    ),
    "clients search": ("query($s: String) { clients(search: $s) { total } }", "search"),
    "syncLogs correlationId": (
        "query($s: String) { syncLogs(filter: {correlationId: $s}) { total } }",
        "correlationId",
    ),
    "syncLogs localId": ("query($s: ID) { syncLogs(filter: {localId: $s}) { total } }", "id"),
    "whmcsClient id": ("query($s: ID!) { whmcsClient(id: $s) { __typename } }", "id"),
    "client id": ("query($s: ID!) { client(id: $s) { id } }", "id"),
    "syncStatus localId": ("query($s: ID!) { syncStatus(localId: $s) { __typename } }", "id"),
    "pushClient clientId": ("mutation($s: ID!) { pushClient(clientId: $s) { __typename } }", "id"),
    "pullClient whmcsId": ("mutation($s: ID!) { pullClient(whmcsId: $s) { __typename } }", "id"),
    "linkClient clientId": (
        'mutation($s: ID!) { linkClient(clientId: $s, whmcsId: "1") { __typename } }',
        "id",
    ),
    "unlink localId": ("mutation($s: ID!) { unlink(localId: $s) { __typename } }", "id"),
    "deleteLocalClient id": (
        "mutation($s: ID!) { deleteLocalClient(id: $s) { __typename } }",
        "id",
    ),
}


@pytest.mark.parametrize(("document", "argument"), ARGUMENTS.values(), ids=ARGUMENTS.keys())
@pytest.mark.parametrize("length", [98_000, 300], ids=["98KB", "300"])
async def test_long_text_is_refused_and_reaches_nothing(
    api: Api, document: str, argument: str, length: int
) -> None:
    api.sandbox.state.calls.clear()

    body = await api.raw(document, {"s": "7" * length})

    _refused(body, argument)
    assert api.sandbox.state.calls == []  # no WHMCS request
    assert await models.SyncLog.all().count() == 0  # no audit row


async def test_the_same_caps_hold_for_literals_in_the_document(api: Api) -> None:
    search = await api.raw('{ whmcsClients(search: "%s") { __typename } }' % ("b" * 255))
    ident = await api.raw('{ client(id: "%s") { id } }' % ("9" * 65))

    _refused(search, "search must be at most 254 characters, got 255")
    _refused(ident, "An id must be at most 64 characters, got 65")


async def test_text_at_the_cap_is_served(api: Api) -> None:
    at_cap = "c" * 254
    api.sandbox.state.calls.clear()

    whmcs = await api.gql(
        "query($s: String) { whmcsClients(search: $s) { __typename } }", {"s": at_cap}
    )
    local = await api.gql("query($s: String) { clients(search: $s) { total } }", {"s": at_cap})
    logs = await api.gql(
        "query($s: String) { syncLogs(filter: {correlationId: $s}) { total } }", {"s": "d" * 36}
    )

    assert whmcs["whmcsClients"]["__typename"] == "WhmcsClientPage"
    assert [c["search"] for c in api.sandbox.state.calls_for("GetClients")] == [at_cap]
    assert local["clients"]["total"] == 0
    assert logs["syncLogs"]["total"] == 0


@pytest.mark.parametrize("pattern", ["%" * 254, "_" * 254, "%_" * 127, "\\" * 254, "[" * 254])
async def test_a_search_made_of_wildcards_is_an_answer_not_an_error(api: Api, pattern: str) -> None:
    body = await api.gql("query($s: String) { clients(search: $s) { total } }", {"s": pattern})

    assert body["clients"]["total"] == 0


async def test_many_long_searches_leave_nothing_behind(api: Api) -> None:
    for n in range(50):
        body = await api.raw(
            "query($s: String) { whmcsClients(search: $s) { __typename } }", {"s": f"{n}{LONG}"}
        )
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    assert await models.SyncLog.all().count() == 0
    backend = api.app.state.bridge.cache._backend
    assert isinstance(backend, MemoryBackend)
    assert len(backend._values) == 0


async def test_cache_keys_stay_small_whatever_the_search() -> None:
    backend = MemoryBackend()
    cache = WhmcsReadCache(backend, ttl_s=60)

    async def load() -> WhmcsClientPage:
        return WhmcsClientPage(items=(), total=0, offset=0)

    for search in ("short", "x" * 5_000, "y" * 5_000):
        await cache.client_page(search=search, offset=0, limit=25, load=load)

    keys = list(backend._values)
    assert len(keys) == 3  # three searches, three entries: long ones are hashed, not merged
    assert max(len(key) for key in keys) <= 128
    assert "short" in keys[0]
