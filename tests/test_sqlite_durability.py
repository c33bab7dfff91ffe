"""SQLite runs WAL with synchronous=NORMAL unless DATABASE_URL says otherwise (decision 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext

from whmcs_bridge.db import tortoise_config


@pytest.mark.parametrize(("suffix", "expected"), [("", 1), ("?synchronous=FULL", 2)])
async def test_sqlite_synchronous_setting(tmp_path: Path, suffix: str, expected: int) -> None:
    url = f"sqlite://{tmp_path / 'd.sqlite3'}{suffix}"
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        conn = connections.get("default")
        rows = await conn.execute_query_dict("PRAGMA synchronous")
        mode = await conn.execute_query_dict("PRAGMA journal_mode")
    assert next(iter(rows[0].values())) == expected
    assert next(iter(mode[0].values())) == "wal"
