"""What a column of an application's table can hold, and the engines' refusals by column.

The checks a value passes before the bridge writes it (`fits`), the value as the column takes it
(`typed`, `stamped`), a read value as the bridge keeps it (`as_text`, `as_datetime`), and
`Refusals`: a write the database refuses because of one column, as InvalidInput naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.whmcs.sync.errors import FieldProblem, InvalidInput
from integrations.whmcs.sync.stores.table_shape import Column, Dialect, Kind, TableShape
from integrations.whmcs.sync.validation import api_field_name

_INTEGER_VALUE = re.compile(r"^[+-]?[0-9]+$")
# What the engines say when a write is refused because of one column.
_REFUSED_COLUMN = (
    re.compile(r"NOT NULL constraint failed: [\w.]*?\.?(\w+)$"),  # SQLite
    re.compile(r'null value in column "(\w+)"'),  # PostgreSQL
    re.compile(r"Field '(\w+)' doesn't have a default value"),  # MariaDB/MySQL
    re.compile(r"Column '(\w+)' cannot be null"),
    re.compile(r"Data too long for column '(\w+)'"),
    re.compile(r"Incorrect \w+ value: .* for column [`']?(?:\w+[`']?\.)*[`']?(\w+)[`']?"),
)
_REFUSED_TABLE = (
    "constraint",
    "violates",
    "too long",
    "invalid input",
    "incorrect",
    "out of range",
)


class Refusals:
    """A write the database refuses because of a column becomes InvalidInput naming it."""

    def __init__(self, table: str, shape: TableShape, fields: Mapping[str, str]) -> None:
        self.table = table
        self.shape = shape
        self.by_column = {column.lower(): local for local, column in fields.items()}

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: object, exc: BaseException | None, tb: object) -> bool:
        if exc is None or not isinstance(exc, Exception):
            return False
        text = str(exc)
        for pattern in _REFUSED_COLUMN:
            match = pattern.search(text)
            if match:
                column = match.group(1)
                local = self.by_column.get(column.lower())
                name = api_field_name(local) if local else column
                raise InvalidInput(
                    [FieldProblem(name, f"{self.table}.{column} refused the value: {text}")]
                ) from None
        if any(word in text.lower() for word in _REFUSED_TABLE):
            raise InvalidInput(
                [FieldProblem("input", f"{self.table} refused the write: {text}")]
            ) from None
        return False


def fits(column: Column, value: str | None) -> str | None:
    """Why `column` cannot hold `value` (the message starts with the column's name), or None."""
    if value is None:
        if not column.nullable:
            return f"{column.name} cannot be empty (NOT NULL)."
        return None
    if (
        column.kind is Kind.TEXT
        and column.max_length is not None
        and len(value) > column.max_length
    ):
        return f"{column.name} holds at most {column.max_length} characters."
    if column.kind is Kind.INTEGER:
        if not _INTEGER_VALUE.match(value.strip()):
            return f"{column.name} holds whole numbers only."
        if column.unsigned and int(value) < 0:
            return f"{column.name} holds no negative numbers."
        if not -(2**63) <= int(value) < 2**64:
            return f"{column.name} cannot hold a number that large."
    if column.kind is Kind.DECIMAL:
        try:
            Decimal(value.strip())
        except InvalidOperation:
            return f"{column.name} holds numbers only."
    return None


def typed(column: Column, value: str | None) -> Any:
    if value is None:
        return None
    if column.kind is Kind.INTEGER:
        return int(value.strip())
    if column.kind is Kind.DECIMAL:
        return Decimal(value.strip())
    return value


def as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def as_datetime(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None  # the application keeps something else there: not the bridge's concern
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc_second() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def stamped(now: datetime, column: Column, d: Dialect) -> object:
    """The time as the column keeps it: Laravel writes UTC, without a zone, to the second."""
    if d.name == "sqlite":
        return now.strftime("%Y-%m-%d %H:%M:%S")
    if column.with_time_zone:
        return now
    return now.replace(tzinfo=None)
