"""Create and drop server test databases (PostgreSQL, MariaDB/MySQL)."""

from __future__ import annotations

from urllib.parse import urlsplit

import asyncpg


async def recreate_database(url: str) -> None:
    await _manage(url, create=True)


async def drop_database(url: str) -> None:
    await _manage(url, create=False)


async def _manage(url: str, *, create: bool) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise ValueError(f"refusing an unusual test database name: {name!r}")
    if parts.scheme.startswith(("postgres", "asyncpg", "psycopg")):
        conn = await asyncpg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            database="postgres",
        )
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if create:
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return
    import asyncmy

    conn = await asyncmy.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
    )
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            if create:
                await cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    finally:
        conn.close()
