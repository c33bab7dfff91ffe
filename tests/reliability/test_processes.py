"""Several server processes on one database: one WHMCS write per intent, and crash recovery.

Real processes (`whmcs-bridge serve`), a real PostgreSQL or MariaDB shared by them, and one WHMCS
(the sandbox, on its own port, slowed down so that requests overlap). The claim on a record lives
in the database, so it holds across processes; an in-process lock would not.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

import models
from integrations.whmcs.sandbox import SandboxConfig, start_sandbox
from tests.conftest import _prepare
from tests.graph.documents import COMPLETE_CLIENT, PULL, PUSH, UPDATE
from tests.support.models import data_models
from whmcs_bridge.db import tortoise_config
from whmcs_bridge.tokens import create_token

ROOT = Path(__file__).resolve().parents[2]
SERVER_URLS = [
    u.strip()
    for u in os.environ.get("TEST_DATABASE_URLS", "").split(",")
    if u.strip() and not u.startswith("sqlite")
]
pytestmark = pytest.mark.skipif(
    not SERVER_URLS, reason="TEST_DATABASE_URLS lists no PostgreSQL/MariaDB to share"
)
IDENT, SECRET = "proc-ident-1", "proc-secret-1"


@pytest.fixture(params=SERVER_URLS or [None], ids=lambda u: str(u).split(":", 1)[0])
def shared_url(request: pytest.FixtureRequest) -> str:
    return _prepare(request.param)  # this run's own, migrated copy of that database


@pytest.fixture
async def shared_db(shared_url: str) -> AsyncIterator[str]:
    url = shared_url
    EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        for model in data_models():
            await model.all().delete()
        yield url


@pytest.fixture
async def whmcs() -> AsyncIterator[Any]:
    config = SandboxConfig(identifier=IDENT, secret=SECRET, latency_ms=300)
    async with await start_sandbox(config) as running:
        yield running


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(db_url: str, whmcs_url: str, tmp_path: Path, **extra: str) -> Iterator[Any]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WHMCS_", "DATABASE_URL"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=db_url,
        WHMCS_API_URL=whmcs_url,
        WHMCS_API_IDENTIFIER=IDENT,
        WHMCS_API_SECRET=SECRET,
        API_RATE_LIMIT_PER_MINUTE="0",
        **extra,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "whmcs_bridge.cli", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=20)


async def _ready(http: aiohttp.ClientSession, *processes: Any) -> None:
    for process in processes:
        for _ in range(150):
            assert process.poll() is None, process.stderr.read()
            try:
                async with http.get(process.url + "/readyz") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("a server did not come up")


@asynccontextmanager
async def client(token: str) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(
        headers=headers, timeout=aiohttp.ClientTimeout(total=60)
    ) as http:
        yield http


async def _gql(http: aiohttp.ClientSession, url: str, query: str, **variables: Any) -> Any:
    async with http.post(url + "/graphql", json={"query": query, "variables": variables}) as r:
        body = await r.json()
    assert "errors" not in body, body
    return body["data"]


async def _local_client(email: str = "shared@example.org") -> int:
    row = await models.Client.create(
        first_name=COMPLETE_CLIENT["firstName"],
        last_name=COMPLETE_CLIENT["lastName"],
        phone_number=COMPLETE_CLIENT["phoneNumber"],
        address1=COMPLETE_CLIENT["address1"],
        city=COMPLETE_CLIENT["city"],
        state=COMPLETE_CLIENT["state"],
        postcode=COMPLETE_CLIENT["postcode"],
        country=COMPLETE_CLIENT["country"],
        email=email,
        email_key=email,
    )
    return row.id


async def test_two_processes_write_once_per_intent(
    shared_db: str, whmcs: Any, tmp_path: Path
) -> None:
    token = await create_token("processes", models.TokenScope.WRITE)
    local_id = await _local_client()
    with server(shared_db, whmcs.url, tmp_path) as a, server(shared_db, whmcs.url, tmp_path) as b:
        async with client(token) as http:
            await _ready(http, a, b)

            pushes = await asyncio.gather(
                *(_gql(http, p.url, PUSH, id=str(local_id)) for p in (a, b, a, b, a, b))
            )
            won = [
                r["pushClient"]
                for r in pushes
                if r["pushClient"]["__typename"] == "PushClientSuccess"
            ]
            lost = {r["pushClient"]["__typename"] for r in pushes} - {"PushClientSuccess"}

            assert len(won) == 1
            assert lost <= {"SyncInProgressError", "AlreadyLinkedError"}
            assert len(whmcs.state.calls_for("AddClient")) == 1
            created = [c for c in whmcs.state.clients.values() if c.email == "shared@example.org"]
            assert len(created) == 1

            await models.Client.filter(id=local_id).update(city="Bilbao")
            updates = await asyncio.gather(
                *(_gql(http, p.url, UPDATE, id=str(local_id)) for p in (a, b, a, b))
            )
            kinds = [u["updateClient"]["__typename"] for u in updates]
            assert len(whmcs.state.calls_for("UpdateClient")) == 1
            assert set(kinds) <= {"UpdateClientSuccess", "SyncInProgressError"}
            assert whmcs.state.get_client(created[0].id).city == "Bilbao"

            pulls = await asyncio.gather(
                *(_gql(http, p.url, PULL, whmcsId="3") for p in (a, b, a, b))
            )
            kinds = [p["pullClient"]["__typename"] for p in pulls]
            assert "PullClientSuccess" in kinds
            assert set(kinds) <= {"PullClientSuccess", "SyncInProgressError"}
            pulled_email = whmcs.state.get_client(3).email
            assert await models.Client.filter(email_key=pulled_email.lower()).count() == 1
            assert await models.SyncMap.filter(whmcs_id=3).count() == 1


async def test_a_crash_between_the_whmcs_write_and_the_local_commit_recovers(
    shared_db: str, whmcs: Any, tmp_path: Path
) -> None:
    token = await create_token("crash", models.TokenScope.WRITE)
    local_id = await _local_client("crash@example.org")
    whmcs.state.latency_ms = 0
    crashing = {"WHMCS_BRIDGE_CRASH_AT": "after-whmcs-write", "SYNC_LEASE_SECONDS": "1"}
    async with client(token) as http:
        with server(shared_db, whmcs.url, tmp_path, **crashing) as doomed:
            await _ready(http, doomed)
            with pytest.raises(aiohttp.ClientError):
                await _gql(http, doomed.url, PUSH, id=str(local_id))
            assert doomed.wait(timeout=20) == 86  # died at the hook, after AddClient
        link = await models.SyncMap.get(local_id=local_id)
        assert (link.status, link.whmcs_id) == (models.SyncStatus.PENDING, None)
        created = whmcs.state.client_by_email("crash@example.org")
        assert created is not None  # WHMCS has it; the bridge never recorded it

        with server(shared_db, whmcs.url, tmp_path, SYNC_LEASE_SECONDS="1") as healthy:
            await _ready(http, healthy)
            await asyncio.sleep(1.2)  # the dead holder's lease runs out
            result = (await _gql(http, healthy.url, PUSH, id=str(local_id)))["pushClient"]

    assert result["__typename"] == "PushClientSuccess"
    assert (result["operation"], result["whmcsId"]) == ("CREATED", str(created.id))
    assert len(whmcs.state.calls_for("AddClient")) == 1
    assert len([c for c in whmcs.state.clients.values() if c.email == created.email]) == 1
    link = await models.SyncMap.get(local_id=local_id)
    assert (link.status, link.whmcs_id) == (models.SyncStatus.SYNCED, created.id)
