"""Shared fixtures: the database on every engine, the app over HTTP with the WHMCS sandbox.

Database tests run on in-memory SQLite, and also on PostgreSQL and MariaDB/MySQL when
TEST_DATABASE_URLS lists them (comma-separated, e.g.
`postgres://postgres@127.0.0.1:5432/whmcs_bridge_test,mysql://root:@127.0.0.1:3306/whmcs_bridge_test`).
Each run works on its own copy of those databases (created, migrated, dropped at the end); every
test starts from empty tables.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tortoise import connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

import models
from models.counters import install_counters
from tests.support.databases import drop_database, recreate_database
from tests.support.models import data_models
from whmcs_bridge.app import create_app
from whmcs_bridge.db import migrate, tortoise_config
from whmcs_bridge.settings import Settings
from whmcs_bridge.tokens import replace_token

ENGINE_NAMES = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "asyncpg": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
}


def _database_params() -> list[Any]:
    urls = [u.strip() for u in os.environ.get("TEST_DATABASE_URLS", "").split(",") if u.strip()]
    by_engine = {ENGINE_NAMES.get(u.split("://", 1)[0], u.split("://", 1)[0]): u for u in urls}
    params: list[Any] = [pytest.param("sqlite://:memory:", id="sqlite")]
    for engine in ("postgres", "mysql"):
        if engine in by_engine:
            params.append(pytest.param(by_engine[engine], id=engine))
        else:
            params.append(
                pytest.param(
                    None,
                    id=engine,
                    marks=pytest.mark.skip(
                        reason=f"TEST_DATABASE_URLS has no {engine} URL; set it to run on {engine}"
                    ),
                )
            )
    return params


_prepared: dict[str, str] = {}


def _prepare(url: str) -> str:
    """Create and migrate this run's own copy of a server database, once per test run.

    The name gets the process id, so two runs on one server (a developer and CI, or parallel
    sessions) never share tables; the copy is dropped when the run ends.
    """
    if url.startswith("sqlite"):
        return url
    if url not in _prepared:
        base, _, name = url.rpartition("/")
        own = f"{base}/{name}_{os.getpid()}"
        asyncio.run(recreate_database(own))
        asyncio.run(migrate(own))
        _prepared[url] = own
    return _prepared[url]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for own in _prepared.values():
        asyncio.run(drop_database(own))


@pytest.fixture(params=_database_params())
def database_url(request: pytest.FixtureRequest) -> str:
    return _prepare(request.param)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """An initialised, empty database; yields its URL."""
    # Tortoise caches insert/update SQL per connection *name*, whatever the dialect: a run that
    # switches engines must start each test without it.
    EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        if database_url.startswith("sqlite"):
            await ctx.generate_schemas()
            await install_counters(connections.get("default"))  # migration 0003's triggers
        else:
            for model in data_models():
                await model.all().delete()
        yield database_url


@pytest.fixture
def settings_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """The environment the app under test is built from.

    Change it per test with `@pytest.mark.parametrize("settings_env", [{...}], indirect=True)`.
    """
    return {"WHMCS_API_TIMEOUT": "2", "LOG_LEVEL": "DEBUG", **getattr(request, "param", {})}


@dataclass
class Api:
    """The app over HTTP (in-process ASGI), with the WHMCS sandbox it started."""

    http: httpx.AsyncClient
    app: Any
    token: str | None = None  # sent as Authorization: Bearer unless a test sends its own

    @property
    def sandbox(self) -> Any:
        return self.app.state.sandbox

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        """Run one operation; fails the test on any top-level GraphQL error."""
        body = await self.raw(query, variables, **headers)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        if self.token and "Authorization" not in headers:
            headers = {"Authorization": f"Bearer {self.token}", **headers}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


async def _test_token() -> str:
    """A write token for the tests' requests (created once per database)."""
    return await replace_token("tests", models.TokenScope.WRITE)


@asynccontextmanager
async def running_app(env: dict[str, str]) -> AsyncIterator[Api]:
    """The app built from `env`, started, reachable over in-process HTTP (needs `db`)."""
    settings = Settings.from_env(env, env_file=None)
    app = create_app(settings, manage_database=False)
    token = await _test_token()  # before start-up: a server with no token refuses to start
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            yield Api(http, app, token=token)


@pytest.fixture
async def api(db: str, settings_env: dict[str, str]) -> AsyncIterator[Api]:
    async with running_app(settings_env) as api:
        yield api
