"""`python -m bench.round_trips DATABASE_URL [--operations N]`: database round trips per operation.

Runs the product app in process (its own WHMCS sandbox, no latency), does pushClient,
updateClient and pullClient (of a linked client) on fresh local clients, and counts what each
sent to the database at the driver: every statement, BEGIN and COMMIT (asyncpg's and aiosqlite's
connection methods), the request gate's token lookup left out. Counted, not timed: the number
is the same on any machine. Run it from a checkout (PYTHONPATH) to count that checkout's code.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import functools
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx

from bench.run import M_CREATE, M_PULL, M_PUSH, M_UPDATE, M_UPDATE_LOCAL, _client_input

_inside = contextvars.ContextVar("inside", default=False)
_seen: list[str] | None = None


def _counting(method: Callable[..., Awaitable[Any]], label: str) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        text = str(args[0]) if args else label
        if _seen is not None and not _inside.get() and "api_tokens" not in text:
            _seen.append(" ".join(text.split())[:90])
        token = _inside.set(True)
        try:
            return await method(self, *args, **kwargs)
        finally:
            _inside.reset(token)

    return counted


def _patch_drivers() -> None:
    import aiosqlite
    import asyncpg

    for cls, names in (
        (asyncpg.Connection, ("execute", "executemany", "fetch", "fetchrow", "fetchval")),
        (
            aiosqlite.Connection,
            ("execute", "execute_fetchall", "execute_insert", "executemany", "commit", "rollback"),
        ),
    ):
        for name in names:
            setattr(cls, name, _counting(getattr(cls, name), name.upper()))


@contextlib.contextmanager
def recorded() -> Iterator[list[str]]:
    global _seen
    _seen = []
    try:
        yield _seen
    finally:
        _seen = None


async def main(url: str, operations: int, show: bool) -> int:
    from tortoise import Tortoise

    import models
    from whmcs_bridge.app import create_app
    from whmcs_bridge.db import migrate, tortoise_config
    from whmcs_bridge.settings import Settings
    from whmcs_bridge.tokens import replace_token

    _patch_drivers()
    await migrate(url)
    await Tortoise.init(config=tortoise_config(url))
    token = await replace_token("round-trips", models.TokenScope.WRITE)
    env = {"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "API_RATE_LIMIT_PER_MINUTE": "0"}
    app = create_app(Settings.from_env(env, env_file=None), manage_database=False)
    counts: dict[str, list[int]] = {"pushClient": [], "updateClient": [], "pullClient": []}
    statements: dict[str, list[str]] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost", headers=headers
        ) as http:

            async def gql(query: str, **variables: Any) -> dict[str, Any]:
                answer = await http.post("/graphql", json={"query": query, "variables": variables})
                data: dict[str, Any] = next(iter(answer.json()["data"].values()))
                if data.get("__typename", "").endswith("Error"):
                    raise RuntimeError(data)
                return data

            await gql("{ stats { totalSynced } }")  # warm: the token, the caches
            tag = os.urandom(4).hex()
            for i in range(operations):
                created = await gql(M_CREATE, input=_client_input(f"rt-{tag}-{i}"))
                with recorded() as seen:
                    pushed = await gql(M_PUSH, id=created["id"])
                counts["pushClient"].append(len(seen))
                statements["pushClient"] = list(seen)
                await gql(M_UPDATE_LOCAL, id=created["id"], input={"city": f"Sevilla {i}"})
                with recorded() as seen:
                    await gql(M_UPDATE, id=created["id"])
                counts["updateClient"].append(len(seen))
                statements["updateClient"] = list(seen)
                with recorded() as seen:
                    await gql(M_PULL, id=pushed["whmcsId"])
                counts["pullClient"].append(len(seen))
                statements["pullClient"] = list(seen)
    await Tortoise.close_connections()
    engine = url.split(":", 1)[0]
    for name, numbers in counts.items():
        sys.stdout.write(f"{engine} {name}: {sorted(set(numbers))} round trips\n")
        if show:
            for statement in statements[name]:
                sys.stdout.write(f"    {statement}\n")
    return 0


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("url", help="DATABASE_URL (sqlite://..., postgres://...)")
    parser.add_argument("--operations", type=int, default=3)
    parser.add_argument("--show", action="store_true", help="print the statements of the last")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.url, args.operations, args.show)))


if __name__ == "__main__":
    cli()
