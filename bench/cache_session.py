"""Section 3 of `make bench`: the WHMCS calls of a scripted Angular session with the read
cache on and off."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from bench.harness import BenchError, Gql, Proc, Report, Sandbox, log, start_server
from bench.queries import (
    M_CREATE,
    M_PUSH,
    M_UPDATE,
    M_UPDATE_LOCAL,
    Q_SYNC_STATUS,
    Q_WHMCS_CLIENT,
    Q_WHMCS_CLIENTS,
)
from bench.whmcs_ops import _client_input


async def angular_session(
    gql: Gql, sandbox: Sandbox, local_id: str, whmcs_id: str, tag: str
) -> list[tuple[str, int]]:
    """List, open a client, check it, update it, list again; WHMCS calls per step."""
    steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        ("list", lambda: gql(Q_WHMCS_CLIENTS, {"offset": 0})),
        ("open a client", lambda: gql(Q_WHMCS_CLIENT, {"id": whmcs_id})),
        ("check", lambda: gql(Q_SYNC_STATUS, {"id": local_id})),
        ("update", lambda: _edit_and_update(gql, local_id, tag)),
        ("list again", lambda: gql(Q_WHMCS_CLIENTS, {"offset": 0})),
    ]
    made = []
    for name, step in steps:
        mark = await sandbox.journal_size()
        await step()
        made.append((name, len(await sandbox.calls_since(mark))))
    return made


async def _edit_and_update(gql: Gql, local_id: str, tag: str) -> None:
    await gql(M_UPDATE_LOCAL, {"id": local_id, "input": {"city": f"Cached {tag}"}})
    result = (await gql(M_UPDATE, {"id": local_id}))["updateClient"]
    if result["__typename"] != "UpdateClientSuccess":
        raise BenchError(f"updateClient answered {result}")


async def cache_section(
    report: Report, workdir: Path, sandbox_proc: Proc, url: str, token: str, run_id: str
) -> None:
    for label, enabled in (("cache on", "true"), ("cache off", "false")):
        server = await start_server(
            workdir, f"cache-{enabled}", url, sandbox_proc, WHMCS_CACHE_ENABLED=enabled
        )
        try:
            async with aiohttp.ClientSession() as session:
                gql, sandbox = Gql(session, server.url, token), Sandbox(session, sandbox_proc)
                created = (
                    await gql(M_CREATE, {"input": _client_input(f"{run_id}-cache-{enabled}")})
                )["createLocalClient"]
                pushed = (await gql(M_PUSH, {"id": created["id"]}))["pushClient"]
                steps: list[tuple[str, int]] = []
                for visit in range(2):  # the same session twice: a user coming back to the page
                    steps += await angular_session(
                        gql, sandbox, created["id"], pushed["whmcsId"], f"{enabled}{visit}"
                    )
                report.cache.append(
                    {"label": label, "steps": steps, "total": sum(n for _, n in steps)}
                )
                log(f"{label}: {steps}")
        finally:
            server.stop()
