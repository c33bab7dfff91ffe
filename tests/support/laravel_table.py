"""A Laravel application's `customers` table, created before the bridge starts (its own DDL).

Shaped like `php artisan migrate` makes it: bigint unsigned auto-increment ids on MariaDB
(bigserial on PostgreSQL, integer primary key on SQLite), the application's own column names,
nullable columns, `created_at`/`updated_at` it maintains itself, an index on e-mail that is not
unique. It lives in an "application" database of its own (`app_table_<pid>`, a SQLite file),
reached through `[client.table] database_url`, or in the bridge's own database.

`SqlRecorder` keeps every statement sent on a Tortoise connection; `schema_of` reads the
table's definition from the database itself, to compare before and after.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.databases import recreate_database

CUSTOMERS = {
    "sqlite": [
        'CREATE TABLE "customers" ("id" integer primary key autoincrement not null, '
        '"client_name" varchar(100) not null, "client_lastname" varchar(100), '
        '"email" varchar(191) not null, "company" varchar(255), "phone" varchar(32), '
        '"street" varchar(255), "town" varchar(100), "region" varchar(100), '
        '"zip" varchar(10), "country_code" varchar(2), "notes" text, '
        '"created_at" datetime, "updated_at" datetime)',
        'CREATE INDEX "customers_email_index" on "customers" ("email")',
    ],
    "postgres": [
        'CREATE TABLE "customers" ("id" bigserial not null primary key, '
        '"client_name" varchar(100) not null, "client_lastname" varchar(100) null, '
        '"email" varchar(191) not null, "company" varchar(255) null, "phone" varchar(32) null, '
        '"street" varchar(255) null, "town" varchar(100) null, "region" varchar(100) null, '
        '"zip" varchar(10) null, "country_code" varchar(2) null, "notes" text null, '
        '"created_at" timestamp(0) without time zone null, '
        '"updated_at" timestamp(0) without time zone null)',
        'CREATE INDEX "customers_email_index" on "customers" ("email")',
    ],
    "mysql": [
        "CREATE TABLE `customers` (`id` bigint unsigned not null auto_increment primary key, "
        "`client_name` varchar(100) not null, `client_lastname` varchar(100) null, "
        "`email` varchar(191) not null, `company` varchar(255) null, `phone` varchar(32) null, "
        "`street` varchar(255) null, `town` varchar(100) null, `region` varchar(100) null, "
        "`zip` varchar(10) null, `country_code` varchar(2) null, `notes` text null, "
        "`created_at` timestamp null, `updated_at` timestamp null) "
        "default character set utf8mb4 collate 'utf8mb4_unicode_ci' engine = InnoDB",
        "ALTER TABLE `customers` ADD INDEX `customers_email_index`(`email`)",
    ],
}

MAPPING = """
[client.table]
name = "customers"
id = "id"
{database_url}

[client]
firstname = "client_name"
lastname = "client_lastname"
email = "email"
companyname = "company"
phonenumber = "phone"
address1 = "street"
city = "town"
state = "region"
postcode = "zip"
country = "country_code"
"""

DDL = re.compile(r"^\s*(CREATE|ALTER|DROP|TRUNCATE|RENAME)\b", re.IGNORECASE)


def engine_of(url: str) -> str:
    scheme = url.split("://", 1)[0]
    return {"postgresql": "postgres", "asyncpg": "postgres", "mariadb": "mysql"}.get(scheme, scheme)


async def app_database(bridge_url: str, tmp_path: Path, name: str = "app_table") -> str:
    """A fresh "application" database on the engine of `bridge_url` (a file for SQLite)."""
    import os

    if bridge_url.startswith("sqlite"):
        return f"sqlite://{tmp_path / f'{name}.sqlite3'}"
    base = bridge_url.rpartition("/")[0]
    url = f"{base}/{name}_{os.getpid()}"
    await recreate_database(url)
    return url


async def create_customers(client: Any, statements: list[str] | None = None) -> None:
    for statement in statements or CUSTOMERS[client.capabilities.dialect]:
        await client.execute_script(statement)


async def schema_of(client: Any, table: str = "customers") -> str:
    """The table's definition as the database keeps it: columns, types, defaults, indexes."""
    dialect = client.capabilities.dialect
    if dialect == "sqlite":
        rows = await client.execute_query_dict(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? ORDER BY name", [table]
        )
        return "\n".join(f"{r['type']} {r['name']}: {r['sql']}" for r in rows)
    if dialect == "postgres":
        columns = await client.execute_query_dict(
            "SELECT column_name, data_type, character_maximum_length, is_nullable, "
            "column_default, is_identity FROM information_schema.columns "
            "WHERE table_name = $1 ORDER BY ordinal_position",
            [table],
        )
        indexes = await client.execute_query_dict(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname",
            [table],
        )
        constraints = await client.execute_query_dict(
            "SELECT conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = $1 ORDER BY conname",
            [table],
        )
        return "\n".join(repr(sorted(r.items())) for r in [*columns, *indexes, *constraints])
    rows = await client.execute_query_dict(f"SHOW CREATE TABLE `{table}`")
    definition = str(list(rows[0].values())[1])
    # The next auto-increment value is data (it moves with every insert), not the schema.
    return re.sub(r" AUTO_INCREMENT=\d+", "", definition)


class SqlRecorder:
    """Every statement a Tortoise connection is asked to run, while recording."""

    METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")

    def __init__(self) -> None:
        self.statements: list[str] = []

    @contextmanager
    def on(self, client: Any) -> Iterator[SqlRecorder]:
        originals = {name: getattr(client, name) for name in (*self.METHODS, "execute_script")}

        def wrap(name: str) -> Any:
            async def recorded(query: str, *args: Any, **kwargs: Any) -> Any:
                self.statements.append(query)
                return await originals[name](query, *args, **kwargs)

            return recorded

        for name in originals:
            setattr(client, name, wrap(name))
        try:
            yield self
        finally:
            for name in originals:
                delattr(client, name)  # the class's methods again

    def ddl(self) -> list[str]:
        return [s for s in self.statements if DDL.match(s)]
