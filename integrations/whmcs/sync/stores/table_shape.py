"""An existing table's shape, read from the database's catalog (never changed), and its SQL dialect.

The bridge reads `information_schema.columns` (PostgreSQL, MariaDB/MySQL) or `PRAGMA table_info`
(SQLite) once, and from then on writes only values the columns can hold: a string no longer than
the column, a number where the column is numeric. Names are matched case-insensitively and then
quoted as the catalog spells them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from integrations.whmcs.sync.mapping import MappingError

# Columns the application maintains itself; the bridge fills them on its own writes (as Laravel's
# Eloquent does) when they exist and hold a date and time.
TIMESTAMP_COLUMNS = ("created_at", "updated_at")
_SQLITE_LENGTH = re.compile(r"\(\s*(\d+)\s*(?:,\s*\d+\s*)?\)")


class ExistingTableError(MappingError):
    """The configured table or one of its mapped columns does not exist (start-up stops)."""


class Kind(StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    DATETIME = "datetime"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # as the catalog spells it
    kind: Kind
    max_length: int | None
    nullable: bool
    has_default: bool  # a default or an auto-increment/identity: an insert may leave it out
    auto: bool = False  # auto-increment or identity
    with_time_zone: bool = False
    unsigned: bool = False

    @property
    def required(self) -> bool:
        """An insert that leaves it out is refused (NOT NULL, no default)."""
        return not self.nullable and not self.has_default


@dataclass(frozen=True, slots=True)
class TableShape:
    name: str  # as the catalog spells it (without the schema)
    schema: str | None
    columns: Mapping[str, Column]  # by lower-cased name

    def column(self, name: str) -> Column | None:
        return self.columns.get(name.lower())


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str  # sqlite | postgres | mysql

    def quote(self, identifier: str) -> str:
        # Identifiers were checked against [A-Za-z_][A-Za-z0-9_]*; quoting keeps reserved words
        # (a column called "order") and the catalog's own case.
        if self.name == "mysql":
            return f"`{identifier}`"
        return f'"{identifier}"'

    def table(self, shape: TableShape) -> str:
        if shape.schema:
            return f"{self.quote(shape.schema)}.{self.quote(shape.name)}"
        return self.quote(shape.name)

    def params(self, count: int, start: int = 1) -> list[str]:
        """Placeholders for `count` values, the first being the `start`-th of the statement."""
        if self.name == "postgres":
            return [f"${i}" for i in range(start, start + count)]
        if self.name == "mysql":
            return ["%s"] * count
        return ["?"] * count


def _kind(data_type: str) -> Kind:
    t = data_type.lower()
    if "int" in t or t in ("serial", "bigserial", "smallserial"):
        return Kind.INTEGER
    if any(w in t for w in ("char", "text", "clob", "string", "uuid", "citext", "enum")):
        return Kind.TEXT
    if any(w in t for w in ("timestamp", "datetime")):
        return Kind.DATETIME
    if any(w in t for w in ("numeric", "decimal", "real", "double", "float")):
        return Kind.DECIMAL
    return Kind.OTHER


async def read_shape(client: Any, name: str, where: str) -> TableShape:
    """The table's columns; ExistingTableError when there is no such table."""
    dialect = client.capabilities.dialect
    schema, _, bare = name.rpartition(".")
    if dialect == "sqlite":
        shape = await _sqlite(client, schema or None, bare)
    elif dialect == "postgres":
        shape = await _postgres(client, schema or None, bare)
    elif dialect == "mysql":
        shape = await _mysql(client, schema or None, bare)
    else:  # pragma: no cover - DATABASE_URL admits only these three
        raise ExistingTableError(f"Field mapping: no support for the {dialect!r} database.")
    if shape is None:
        raise ExistingTableError(
            f"Field mapping: [client.table] {name!r} does not exist in {where} "
            "(the bridge never creates it: point name at the application's clients table)."
        )
    return shape


async def _sqlite(client: Any, schema: str | None, name: str) -> TableShape | None:
    prefix = f'"{schema}".' if schema else ""
    tables = await client.execute_query_dict(
        f"SELECT name FROM {prefix}sqlite_master WHERE type = 'table' AND lower(name) = lower(?)",
        [name],
    )
    if not tables:
        return None
    real = str(tables[0]["name"])
    rows = await client.execute_query_dict(f'PRAGMA {prefix}table_info("{real}")')
    pk = [r for r in rows if r["pk"]]
    columns: dict[str, Column] = {}
    for r in rows:
        declared = str(r["type"] or "")
        length = _SQLITE_LENGTH.search(declared)
        kind = _kind(declared) if declared else Kind.OTHER
        # INTEGER PRIMARY KEY is the rowid: SQLite numbers it.
        auto = bool(r["pk"]) and len(pk) == 1 and declared.upper() == "INTEGER"
        columns[str(r["name"]).lower()] = Column(
            name=str(r["name"]),
            kind=kind,
            max_length=int(length.group(1)) if length and kind is Kind.TEXT else None,
            nullable=not r["notnull"] and not auto,
            has_default=r["dflt_value"] is not None or auto,
            auto=auto,
            unsigned="unsigned" in declared.lower(),
        )
    return TableShape(real, schema, columns)


async def _postgres(client: Any, schema: str | None, name: str) -> TableShape | None:
    rows = await client.execute_query_dict(
        "SELECT table_schema, table_name, column_name, data_type, character_maximum_length, "
        "is_nullable, column_default, is_identity FROM information_schema.columns "
        "WHERE table_schema = COALESCE($1, current_schema()) AND lower(table_name) = lower($2) "
        "ORDER BY ordinal_position",
        [schema, name],
    )
    if not rows:
        return None
    columns: dict[str, Column] = {}
    for r in rows:
        default = r["column_default"]
        auto = r["is_identity"] == "YES" or (default is not None and "nextval(" in str(default))
        columns[str(r["column_name"]).lower()] = Column(
            name=str(r["column_name"]),
            kind=_kind(str(r["data_type"])),
            max_length=r["character_maximum_length"],
            nullable=r["is_nullable"] == "YES",
            has_default=default is not None or auto,
            auto=auto,
            with_time_zone="with time zone" in str(r["data_type"]),
        )
    return TableShape(str(rows[0]["table_name"]), schema, columns)


async def _mysql(client: Any, schema: str | None, name: str) -> TableShape | None:
    rows = await client.execute_query_dict(
        "SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, DATA_TYPE AS data_type, "
        "COLUMN_TYPE AS column_type, CHARACTER_MAXIMUM_LENGTH AS max_length, "
        "IS_NULLABLE AS is_nullable, COLUMN_DEFAULT AS column_default, EXTRA AS extra "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(%s, DATABASE()) "
        "AND lower(TABLE_NAME) = lower(%s) ORDER BY ORDINAL_POSITION",
        [schema, name],
    )
    if not rows:
        return None
    columns: dict[str, Column] = {}
    for r in rows:
        extra = str(r["extra"] or "").lower()
        auto = "auto_increment" in extra
        default = r["column_default"]
        nullable = r["is_nullable"] == "YES"
        # MariaDB reports the default of a nullable column without one as the text NULL.
        has_default = auto or (default is not None and default != "NULL")
        columns[str(r["column_name"]).lower()] = Column(
            name=str(r["column_name"]),
            kind=_kind(str(r["data_type"])),
            max_length=int(r["max_length"]) if r["max_length"] is not None else None,
            nullable=nullable,
            has_default=has_default,
            auto=auto,
            unsigned="unsigned" in str(r["column_type"]).lower(),
        )
    return TableShape(str(rows[0]["table_name"]), schema, columns)


def missing_columns(shape: TableShape, wanted: Sequence[tuple[str, str]]) -> list[str]:
    """The (what, column) pairs whose column the table lacks, described."""
    return [f"{column!r} ({what})" for what, column in wanted if shape.column(column) is None]
