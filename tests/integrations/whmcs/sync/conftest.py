"""The bridge's database plus an application's database holding a Laravel `customers` table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext
from tortoise.utils import generate_schema_for_client

import models
from integrations.whmcs.sync.mapping import FieldMapping
from integrations.whmcs.sync.stores.existing_table import (
    CLIENT_TABLE_CONNECTION,
    ExistingTableStore,
)
from models.counters import install_counters
from tests.support.databases import drop_database
from tests.support.laravel_table import MAPPING, app_database, create_customers, schema_of
from whmcs_bridge.db import tortoise_config


@dataclass
class AppTable:
    url: str  # the application's database ([client.table] database_url)
    client: Any  # its Tortoise connection
    mapping: FieldMapping
    store: ExistingTableStore
    schema_before: str

    @property
    def dialect(self) -> str:
        return str(self.client.capabilities.dialect)

    def p(self, n: int = 1) -> str:
        return {"postgres": f"${n}", "mysql": "%s"}.get(self.dialect, "?")

    def stamp(self, moment: datetime) -> object:
        """A UTC time as the driver takes it for a timestamp column (without a zone)."""
        naive = moment.replace(tzinfo=None)
        return naive if self.dialect == "postgres" else naive.strftime("%Y-%m-%d %H:%M:%S")

    async def rows(self) -> list[dict[str, Any]]:
        rows = await self.client.execute_query_dict("SELECT * FROM customers ORDER BY id")
        return [dict(r) for r in rows]

    async def insert(self, **columns: Any) -> int:
        """A row the application wrote itself (not through the bridge)."""
        names = list(columns)
        q = '"' if self.dialect != "mysql" else "`"
        params = ", ".join(self.p(i + 1) for i in range(len(names)))
        sql = f"INSERT INTO customers ({', '.join(q + n + q for n in names)}) VALUES ({params})"
        if self.dialect == "postgres":
            record = await self.client.execute_insert(f"{sql} RETURNING id", list(columns.values()))
            return int(record[0])
        return int(await self.client.execute_insert(sql, list(columns.values())))


def table_mapping(url: str | None, text: str = MAPPING) -> FieldMapping:
    import tomllib

    line = f'database_url = "{url}"' if url else ""
    document = tomllib.loads(text.format(database_url=line))
    return FieldMapping.from_table(document["client"])


@pytest.fixture
async def app_table(database_url: str, tmp_path: Path) -> AsyncIterator[AppTable]:
    """The bridge's database (empty, as `db` gives it) and a fresh application database with
    the Laravel table, opened as the `client_table` connection; the store over it."""
    EXECUTOR_CACHE.clear()
    app_url = await app_database(database_url, tmp_path)
    mapping = table_mapping(app_url)
    extra = {CLIENT_TABLE_CONNECTION: app_url}
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url, extra_connections=extra))
        if database_url.startswith("sqlite"):
            await generate_schema_for_client(connections.get("default"), True)
            await install_counters(connections.get("default"))
        else:
            for model in (models.SyncLog, models.SyncMap, models.Client, models.ApiToken):
                await model.all().delete()
        client = connections.get(CLIENT_TABLE_CONNECTION)
        await create_customers(client)
        store = ExistingTableStore(mapping)
        yield AppTable(app_url, client, mapping, store, await schema_of(client))
    if not app_url.startswith("sqlite"):
        await drop_database(app_url)
