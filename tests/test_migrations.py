"""One migration set, dialect-neutral: no drift from the models, same schema on every engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

import models
from tests.support.models import registered_models
from whmcs_bridge.db import migrate, tortoise_config


async def test_models_and_migrations_do_not_drift() -> None:
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()

    pending = [w.name for w in writers]
    assert pending == [], f"models changed without a migration: run `make migrations` ({pending})"


def _expected() -> dict[str, dict[str, bool]]:
    """table -> column -> nullable, from the models."""
    tables: dict[str, dict[str, bool]] = {}
    for model in registered_models():
        meta = model._meta
        tables[meta.db_table] = {
            column: meta.fields_map[name].null for name, column in meta.fields_db_projection.items()
        }
    return tables


async def _columns(url: str) -> dict[str, dict[str, bool]]:
    conn = connections.get("default")
    found: dict[str, dict[str, bool]] = {}
    for table in _expected():
        if url.startswith("sqlite"):
            rows = await conn.execute_query_dict(f'PRAGMA table_info("{table}")')
            found[table] = {r["name"]: not r["notnull"] and not r["pk"] for r in rows}
            continue
        where = (
            "table_schema = 'public'" if url.startswith("postgres") else "table_schema = DATABASE()"
        )
        rows = await conn.execute_query_dict(
            "SELECT column_name AS name, is_nullable AS nullable FROM information_schema.columns "
            f"WHERE {where} AND table_name = '{table}'"
        )
        found[table] = {r["name"]: r["nullable"] == "YES" for r in rows}
    return found


async def _unique_sets(url: str) -> set[tuple[str, tuple[str, ...]]]:
    conn = connections.get("default")
    uniques: set[tuple[str, tuple[str, ...]]] = set()
    for table in _expected():
        if url.startswith("sqlite"):
            for index in await conn.execute_query_dict(f'PRAGMA index_list("{table}")'):
                if index["unique"] and index["origin"] != "pk":
                    cols = await conn.execute_query_dict(f'PRAGMA index_info("{index["name"]}")')
                    uniques.add((table, tuple(sorted(c["name"] for c in cols))))
            continue
        if url.startswith("postgres"):
            rows = await conn.execute_query_dict(
                "SELECT i.relname AS idx, a.attname AS col FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey) "
                f"WHERE t.relname = '{table}' AND x.indisunique AND NOT x.indisprimary"
            )
        else:
            rows = await conn.execute_query_dict(
                "SELECT index_name AS idx, column_name AS col FROM information_schema.statistics "
                f"WHERE table_schema = DATABASE() AND table_name = '{table}' "
                "AND non_unique = 0 AND index_name <> 'PRIMARY'"
            )
        grouped: dict[str, list[str]] = {}
        for row in rows:
            grouped.setdefault(row["idx"], []).append(row["col"])
        uniques |= {(table, tuple(sorted(cols))) for cols in grouped.values()}
    return uniques


async def _migrated(database_url: str, tmp_path: Path) -> str:
    if database_url.startswith("sqlite"):
        url = f"sqlite://{tmp_path / 'migrated.sqlite3'}"
        await migrate(url)
        return url
    return database_url  # the conftest built it with the migrations


async def test_migrations_build_the_models_schema(database_url: str, tmp_path: Path) -> None:
    url = await _migrated(database_url, tmp_path)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        columns = await _columns(url)
        uniques = await _unique_sets(url)

    assert columns == _expected()
    assert uniques == {
        ("api_tokens", ("digest",)),
        ("api_tokens", ("name",)),
        ("clients", ("email_key",)),
        ("sync_map", ("entity_type", "local_id")),
        ("sync_map", ("entity_type", "whmcs_id")),
    }


async def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'twice.sqlite3'}"
    await migrate(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        await models.Client.create(
            first_name="A", last_name="B", email="a@b.co", email_key="a@b.co"
        )

    await migrate(url)

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        rows: list[Any] = await models.Client.all().values_list("email", flat=True)
    assert rows == ["a@b.co"]
