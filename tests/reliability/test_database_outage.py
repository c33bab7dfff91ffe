"""The database goes away (a proxy in front of it is cut) and comes back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

import models
from tests.conftest import Api, running_app
from tests.graph.documents import CLIENTS, COMPLETE_CLIENT, CREATE_LOCAL, PUSH
from tests.reliability.test_processes import SERVER_URLS, shared_url  # noqa: F401 - fixture
from tests.support.models import data_models
from tests.support.tcp_proxy import TcpProxy
from whmcs_bridge.db import tortoise_config

pytestmark = pytest.mark.skipif(
    not SERVER_URLS, reason="TEST_DATABASE_URLS lists no PostgreSQL/MariaDB server"
)


@pytest.fixture
async def proxied(shared_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:  # noqa: F811
    parts = urlsplit(shared_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    netloc = parts.netloc.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{proxy.port}")
    url = urlunsplit(parts._replace(netloc=netloc))
    EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        for model in data_models():
            await model.all().delete()
        yield proxy, url
        await proxy.cut()


async def _client_count(api: Api) -> Any:
    return await api.raw(CLIENTS)


async def test_database_outage_is_a_clear_error_and_recovers(
    proxied: tuple[TcpProxy, str],
) -> None:
    proxy, _ = proxied
    async with running_app({}) as api:
        created = await api.gql(CREATE_LOCAL, {"input": COMPLETE_CLIENT})
        client_id = created["createLocalClient"]["id"]
        assert (await api.http.get("/readyz")).status_code == 200

        await proxy.cut()
        ready = await api.http.get("/readyz")
        listed = await _client_count(api)
        pushed = await api.raw(PUSH, {"id": client_id})

        assert ready.status_code == 503
        for body in (listed, pushed):
            error = body["errors"][0]
            assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
            assert "database" in error["message"].lower()
            assert "retry" in error["message"].lower()
        assert api.sandbox.state.calls_for("AddClient") == []  # nothing reached WHMCS

        await proxy.start()  # the database is back
        for _ in range(5):
            if (await api.http.get("/readyz")).status_code == 200:
                break
        pushed = await api.gql(PUSH, {"id": client_id})

    assert pushed["pushClient"]["__typename"] == "PushClientSuccess"
    link = await models.SyncMap.get(local_id=int(client_id))
    assert link.status == models.SyncStatus.SYNCED  # nothing half-written was left behind
    assert len(api.sandbox.state.calls_for("AddClient")) == 1
