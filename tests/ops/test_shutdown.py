"""SIGTERM in the middle of a push, sent to the real server process (`whmcs-bridge serve`).

The sandbox holds the push at a chosen WHMCS call (its fault control: a delay on that action,
after the write when the write should happen). Whatever the moment, the server stops taking
connections, lets the WHMCS call already sent finish (bounded by WHMCS_API_TIMEOUT), sends no new
one, answers the request, and leaves the record linked or released with its reason: never held.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import models
from integrations.whmcs.sandbox import Fault
from tests.graph.documents import COMPLETE_CLIENT, CREATE_LOCAL, PUSH
from tests.ops.support import (
    Server,
    gql,
    in_database,
    sqlite_with_tokens,
    start_bridge,
    wait_ready,
    wait_until,
)
from whmcs_bridge.tokens import create_token

TIMEOUT_S = 3.0  # WHMCS_API_TIMEOUT: the server's grace is this plus 10 s
EXITED = (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down cleanly


async def _start(whmcs: Any, tmp_path: Path, db_url: str) -> Server:
    server = start_bridge(whmcs, db_url, tmp_path, WHMCS_API_TIMEOUT=str(TIMEOUT_S))
    await wait_ready(server)
    return server


async def _refuses_connections(server: Server) -> bool:
    parts = urlsplit(server.url)
    try:
        _, writer = await asyncio.open_connection(parts.hostname, parts.port)
    except OSError:
        return True
    writer.close()
    return False


async def _link(db_url: str, local_id: str) -> models.SyncMap | None:
    async def read() -> models.SyncMap | None:
        return await models.SyncMap.get_or_none(local_id=int(local_id))

    return await in_database(db_url, read)


async def _push_held_at(
    whmcs: Any, tmp_path: Path, action: str, fault: Fault
) -> tuple[Any, Server, str, str, float]:
    """Start a push, SIGTERM the server while WHMCS holds `action`; the push's answer, the
    stopped server, the database, the local id and how long the server took to exit."""
    db_url, tokens = await sqlite_with_tokens(tmp_path, [("app", models.TokenScope.WRITE)])
    server = await _start(whmcs, tmp_path, db_url)
    created = await gql(server.url, tokens["app"], CREATE_LOCAL, {"input": COMPLETE_CLIENT})
    local_id = created["data"]["createLocalClient"]["id"]
    whmcs.state.faults.push(fault)

    push = asyncio.create_task(gql(server.url, tokens["app"], PUSH, {"id": local_id}))
    await wait_until(lambda: bool(whmcs.state.calls_for(action)), what=f"{action} to arrive")
    signalled = time.monotonic()
    server.signal(signal.SIGTERM)
    refused_while_in_flight = False
    while not push.done():  # new connections are refused while the push is still running
        if await _refuses_connections(server):
            refused_while_in_flight = not push.done()
            break
        await asyncio.sleep(0.02)
    answer = await push
    code = await asyncio.to_thread(server.wait, TIMEOUT_S + 15)
    took = time.monotonic() - signalled
    assert code in EXITED, "\n".join(server.stderr_lines)
    assert refused_while_in_flight, "the server kept accepting connections"
    assert any("Stopping (SIGTERM)" in line for line in server.stderr_lines)
    return answer, server, db_url, local_id, took


async def test_a_write_in_flight_finishes_and_the_record_is_linked(
    whmcs: Any, tmp_path: Path
) -> None:
    answer, _, db_url, local_id, took = await _push_held_at(
        whmcs, tmp_path, "AddClient", Fault("delay", action="AddClient", seconds=2)
    )

    result = answer["data"]["pushClient"]
    assert result["__typename"] == "PushClientSuccess", result
    link = await _link(db_url, local_id)
    assert link is not None
    assert link.status == models.SyncStatus.SYNCED
    assert link.whmcs_id == int(result["whmcsId"])
    assert (link.lease_token, link.lease_expires_at) == (None, None)
    assert whmcs.state.get_client(link.whmcs_id).email == COMPLETE_CLIENT["email"]
    assert took < TIMEOUT_S + 10


async def test_a_write_whose_answer_never_comes_is_released_pending_within_the_timeout(
    whmcs: Any, tmp_path: Path
) -> None:
    answer, _, db_url, local_id, took = await _push_held_at(
        whmcs,
        tmp_path,
        "AddClient",
        Fault("delay", action="AddClient", seconds=60, after_commit=True),
    )

    result = answer["data"]["pushClient"]
    assert result["__typename"] == "WhmcsError", result
    link = await _link(db_url, local_id)
    assert link is not None
    assert link.status == models.SyncStatus.PENDING
    assert "AddClient got no answer" in str(link.last_error)
    assert (link.lease_token, link.lease_expires_at) == (None, None)  # released, not held
    assert took < TIMEOUT_S + 10, took  # bounded by the WHMCS timeout, not the 60 s delay


async def test_no_write_starts_once_stopping_and_a_restart_pushes_it(
    whmcs: Any, tmp_path: Path
) -> None:
    answer, _, db_url, local_id, _ = await _push_held_at(
        whmcs, tmp_path, "GetClients", Fault("delay", action="GetClients", seconds=2)
    )

    result = answer["data"]["pushClient"]
    assert result["__typename"] == "WhmcsError", result
    assert "shutting down" in result["message"]
    assert result["retryable"] is True
    assert whmcs.state.calls_for("AddClient") == []  # nothing was sent after the signal
    link = await _link(db_url, local_id)
    assert link is not None
    assert link.whmcs_id is None
    assert link.status != models.SyncStatus.SYNCED
    assert "shutting down" in str(link.last_error)  # released with its reason
    assert (link.lease_token, link.lease_expires_at) == (None, None)

    # Started again, the same push goes through.
    token = await in_database(db_url, _new_token)
    server = await _start(whmcs, tmp_path, db_url)
    try:
        again = await gql(server.url, token, PUSH, {"id": local_id})
    finally:
        server.stop()
    assert again["data"]["pushClient"]["__typename"] == "PushClientSuccess"
    assert len(whmcs.state.calls_for("AddClient")) == 1


async def _new_token() -> str:
    return await create_token("again", models.TokenScope.WRITE)
