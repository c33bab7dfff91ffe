"""The DataLoaders keep the number of SQL queries per request fixed, whatever the page size.

Queries are counted at the Tortoise connection: every statement the ORM sends goes through
`execute_query`, `execute_query_dict`, `execute_insert` or `execute_many` of the connection
(tortoise/backends/base/client.py). A call made from inside another (MySQL's
`execute_query_dict` calls `execute_query`) is counted once. The API-token lookup of the
request gate is left out: it is authentication, remembered for a few seconds, not resolver work.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tortoise import connections

import models
from tests.conftest import Api

EXECUTE_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")
_inside = contextvars.ContextVar("inside_execute", default=False)

CLIENTS_WITH_SYNC = """
query Clients($limit: Int!) {
  clients(limit: $limit) { items { id sync { status whmcsId } } }
}
"""
WHMCS_CLIENTS_WITH_LOCAL = """
query WhmcsClients($limit: Int!) {
  whmcsClients(limit: $limit) {
    __typename
    ... on WhmcsClientPage { items { id localClient { id } } }
  }
}
"""


@contextmanager
def recorded_sql() -> Iterator[list[str]]:
    """Every SQL statement sent on the default connection while the block runs."""
    connection = connections.get("default")
    statements: list[str] = []

    def wrap(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def counted(query: str, *args: Any, **kwargs: Any) -> Any:
            # The token check in front of /graphql is not the resolvers' work: not counted.
            if not _inside.get() and "api_tokens" not in query:
                statements.append(query)
            token = _inside.set(True)
            try:
                return await original(query, *args, **kwargs)
            finally:
                _inside.reset(token)

        return counted

    for name in EXECUTE_METHODS:
        setattr(connection, name, wrap(getattr(connection, name)))
    try:
        yield statements
    finally:
        for name in EXECUTE_METHODS:
            delattr(connection, name)  # the class's method shows through again


def on_table(statements: list[str], table: str) -> list[str]:
    pattern = re.compile(rf"""[\s"`.]{table}["`\s]""", re.IGNORECASE)
    return [s for s in statements if pattern.search(s + " ")]


async def make_clients(count: int, *, linked_every: int) -> dict[int, int]:
    """`count` local clients; every `linked_every`-th one is linked. Returns {local: whmcs}."""
    links: dict[int, int] = {}
    for n in range(count):
        email = f"user{n}@example.org"
        client = await models.Client.create(
            first_name=f"User{n}", last_name="Test", email=email, email_key=email
        )
        if n % linked_every == 0:
            whmcs_id = n + 1
            await models.SyncMap.create(
                entity_type=models.EntityType.CLIENT,
                local_id=client.id,
                whmcs_id=whmcs_id,
                status=models.SyncStatus.SYNCED,
            )
            links[client.id] = whmcs_id
    return links


async def test_clients_page_with_sync_state_makes_three_queries(api: Api) -> None:
    links = await make_clients(25, linked_every=3)
    assert 0 < len(links) < 25

    with recorded_sql() as statements:
        data = await api.gql(CLIENTS_WITH_SYNC, {"limit": 25})

    items = data["clients"]["items"]
    assert len(items) == 25
    assert {int(i["id"]): int(i["sync"]["whmcsId"]) for i in items if i["sync"]["whmcsId"]} == (
        links
    )
    assert {i["sync"]["status"] for i in items} == {"SYNCED", None}
    assert len(statements) == 3, statements  # count, page, one batched sync-map query
    assert len(on_table(statements, "sync_map")) == 1, statements
    assert len(on_table(statements, "clients")) == 2, statements
    assert sum("COUNT(" in s.upper() for s in statements) == 1, statements


async def test_query_count_does_not_grow_with_the_page(api: Api) -> None:
    await make_clients(25, linked_every=2)

    with recorded_sql() as small:
        five = await api.gql(CLIENTS_WITH_SYNC, {"limit": 5})
    with recorded_sql() as large:
        twenty_five = await api.gql(CLIENTS_WITH_SYNC, {"limit": 25})

    assert (len(five["clients"]["items"]), len(twenty_five["clients"]["items"])) == (5, 25)
    assert len(small) == len(large) == 3, (small, large)


async def test_whmcs_clients_with_local_client_makes_one_query_per_relation(api: Api) -> None:
    # Link some of the sandbox's demo clients (ids 1..) to local clients.
    links = await make_clients(6, linked_every=2)
    assert len(links) == 3

    with recorded_sql() as statements:
        data = await api.gql(WHMCS_CLIENTS_WITH_LOCAL, {"limit": 25})

    page = data["whmcsClients"]
    assert page["__typename"] == "WhmcsClientPage"
    assert len(page["items"]) > len(links)
    shown = {int(i["id"]): int(i["localClient"]["id"]) for i in page["items"] if i["localClient"]}
    assert shown == {whmcs: local for local, whmcs in links.items()}
    assert len(on_table(statements, "sync_map")) == 1, statements
    client_reads = [
        s for s in on_table(statements, "clients") if s.lstrip().upper()[:6] == "SELECT"
    ]
    assert len(client_reads) == 1, statements
    # Anything else is the audit entry of the LIST operation, never a per-item query.
    others = [s for s in statements if s not in on_table(statements, "sync_map") + client_reads]
    assert others, statements
    assert all(on_table([s], "sync_logs") for s in others), others
