"""Migration 0006: local ids become text on every engine, and nothing the tables had is lost.

Rows written before it keep their ids (read back as the same integers), the unique
(entity_type, local_id) constraint still refuses a second link, the counter triggers still
count, and a text id (an application's UUID) can be stored and found.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError
from tortoise.migrations.api.migrate import migrate as run_migrations

import models
from tests.support.databases import drop_database, recreate_database
from whmcs_bridge.db import tortoise_config

UUID = "3f0a6a7e-9a51-4c2e-8a4b-0c8f6f1f2a10"


async def _fresh(database_url: str, tmp_path: Path) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite://{tmp_path / 'before.sqlite3'}"
    base, _, name = database_url.rpartition("/")
    url = f"{base}/{name}_m6_{os.getpid()}"
    await recreate_database(url)
    return url


async def _migrate(url: str, target: str | None = None) -> None:
    EXECUTOR_CACHE.clear()  # cached per connection name, whatever the engine (see conftest)
    try:
        await run_migrations(config=tortoise_config(url), target=target)
    finally:
        # Tortoise's migrate leaves its connections open: an aiosqlite connection's thread
        # would keep pytest from exiting (as whmcs_bridge.db.migrate closes them).
        await Tortoise.close_connections()


async def test_local_ids_become_text_and_everything_survives(
    database_url: str, tmp_path: Path
) -> None:
    url = await _fresh(database_url, tmp_path)
    try:
        await _migrate(url, "models.0006_onboarding")
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(url))
            conn = connections.get("default")
            p = {"sqlite": "?", "postgres": "$1", "mysql": "%s"}[conn.capabilities.dialect]
            # Written as the integer column takes them (the models write text since 0006).
            params = {"sqlite": "?, ?", "postgres": "$1, $2", "mysql": "%s, %s"}
            values = params[conn.capabilities.dialect]
            for local_id, whmcs_id in ((7, 70), (2**31 - 1, 71)):
                await conn.execute_query(
                    "INSERT INTO sync_map (entity_type, local_id, whmcs_id, status, created_at, "
                    f"updated_at) VALUES ('CLIENT', {values}, 'SYNCED', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)",
                    [local_id, whmcs_id],
                )
            await conn.execute_query(
                "INSERT INTO sync_logs (operation, status, entity_type, local_id, correlation_id, "
                f"created_at) VALUES ('PUSH', 'SUCCESS', 'CLIENT', {p}, 'c', CURRENT_TIMESTAMP)",
                [7],
            )

        await _migrate(url)
        EXECUTOR_CACHE.clear()

        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(url))
            conn = connections.get("default")
            kept = (
                await models.SyncMap.all().order_by("whmcs_id").values_list("local_id", flat=True)
            )
            assert kept == [7, 2**31 - 1]
            assert (await models.SyncLog.get(correlation_id="c")).local_id == 7
            assert await models.SyncMap.exists(entity_type="CLIENT", local_id="7")
            with pytest.raises(IntegrityError):
                await models.SyncMap.create(entity_type="CLIENT", local_id=7, status="PENDING")
            big = 2**64 - 1  # a bigint unsigned id of an application's table
            await models.SyncMap.create(entity_type="CLIENT", local_id=big, status="PENDING")
            await models.SyncMap.create(entity_type="CLIENT", local_id=UUID, status="PENDING")
            linked = await models.SyncMap.filter(local_id__in=[big, UUID]).order_by("id")
            assert [r.local_id for r in linked] == [big, UUID]
            with pytest.raises(IntegrityError):
                await models.SyncMap.create(entity_type="CLIENT", local_id=UUID, status="SYNCED")
            raw: list[dict[str, Any]] = await conn.execute_query_dict(
                f"SELECT local_id FROM sync_map WHERE whmcs_id = {p}", [70]
            )
            assert str(raw[0]["local_id"]) == "7"
            counts = dict(await models.Counter.all().values_list("name", "n"))
            assert counts["sync_map:CLIENT:SYNCED"] == 2
            assert counts["sync_map:CLIENT:PENDING"] == 2
            assert counts["sync_logs:PUSH:SUCCESS:CLIENT"] == 1
    finally:
        if not url.startswith("sqlite"):
            await drop_database(url)
