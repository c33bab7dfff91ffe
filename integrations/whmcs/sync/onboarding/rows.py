"""Staged rows as plain values, never model objects: written with one parameterised statement
per batch, a row already staged (same job, side and record: the unique key) kept as it is; read
back by the sort a keyset batch at a time, its categories written one UPDATE per category.

Each engine spells "skip a row whose key is taken" its own way, as Tortoise's bulk insert with
``ignore_conflicts`` spelt it before: SQLite ``INSERT OR IGNORE``, PostgreSQL ``ON CONFLICT DO
NOTHING``, MariaDB ``INSERT IGNORE``. The statement goes through the Tortoise connection's
``execute_many`` (one transaction around the batch on every engine).

A write is never cut off part way (`insert`): on SQLite, ``execute_many`` is BEGIN, executemany,
COMMIT on the one shared connection, rolled back on an Exception only; cancelled between BEGIN
and COMMIT, it would leave that connection inside its transaction ("cannot start a transaction
within a transaction" for the next one). Wrapping it in `in_transaction` is no cure: a
cancellation inside that context's `__aenter__`, after it took the connection's lock, never
releases the lock, and every later query waits forever. So the write runs in a task of its own
that nobody cancels; a cancellation of the caller waits for it, then goes on. The rows are then
staged, and a rerun stages their page again, kept once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from integrations.whmcs.sync.stores.table_shape import Dialect
from models import Category, OnboardingRow, Side

# The order Tortoise's bulk insert used (the side first).
COLUMNS = ("side", "record_id", "email_key", "data", "link_id", "job_id")

Staged = tuple[str, str, str, str, str | None, int]


def staged(
    job_id: int,
    side: Side,
    record_id: str,
    email_key: str,
    data: Mapping[str, str | None],
    link_id: str | None,
) -> Staged:
    """One row's values, encoded as the model's fields encode them."""
    return (side.value, record_id, email_key, _encode_data(data), link_id, job_id)


def _encode_data(data: Mapping[str, str | None]) -> str:
    encoded: Any = OnboardingRow._meta.fields_map["data"].to_db_value(dict(data), OnboardingRow)
    return str(encoded)


def insert_sql(dialect: str) -> str:
    d = Dialect(dialect)
    table = d.quote(OnboardingRow._meta.db_table)
    names = ", ".join(d.quote(c) for c in COLUMNS)
    marks = ", ".join(d.params(len(COLUMNS)))
    if dialect == "sqlite":
        return f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})"
    if dialect == "mysql":
        return f"INSERT IGNORE INTO {table} ({names}) VALUES ({marks})"
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"


# The writes carried on after their caller was stopped: the loop holds tasks only weakly.
_INSERTING: set[asyncio.Task[None]] = set()


async def insert(rows: Sequence[Staged]) -> None:
    """The rows in one statement, run to its end even when the caller is cancelled meanwhile."""
    if not rows:
        return

    async def write() -> None:
        connection = OnboardingRow._meta.db
        sql = insert_sql(connection.capabilities.dialect)
        await connection.execute_many(sql, [list(row) for row in rows])

    task = asyncio.create_task(write())
    _INSERTING.add(task)
    task.add_done_callback(_INSERTING.discard)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        if not task.cancelled():
            task.exception()  # retrieved: the stop is what the caller reports
        raise


# What the sort reads of a row, in this order.
SORTED = ("id", "email_key", "side", "record_id", "category", "link_id", "data")
Read = tuple[int, str, Side, str, Category | None, str | None, dict[str, str | None]]
_SIDES = {s.value: s for s in Side}
_CATEGORIES = {c.value: c for c in Category}


async def read_sorted(
    job_id: int, *, after: tuple[str, int] | None, done_key: str | None, limit: int
) -> list[Read]:
    """The job's next rows in (email_key, id) order: past `after` (the last row read), or
    else past the e-mail `done_key`; the same keyset the ORM query spelt, as plain values."""
    connection = OnboardingRow._meta.db
    d = Dialect(connection.capabilities.dialect)
    q = d.quote
    values: list[Any] = [job_id]
    where = f"{q('job_id')} = {{}}"
    if after is not None:
        where += f" AND ({q('email_key')} > {{}} OR ({q('email_key')} = {{}} AND {q('id')} > {{}}))"
        values += [after[0], after[0], after[1]]
    elif done_key is not None:
        where += f" AND {q('email_key')} > {{}}"
        values.append(done_key)
    values.append(limit)
    marks = d.params(len(values))
    sql = (
        f"SELECT {', '.join(q(c) for c in SORTED)} FROM {q(OnboardingRow._meta.db_table)} "
        f"WHERE {where} ORDER BY {q('email_key')}, {q('id')} LIMIT {{}}"
    ).format(*marks)
    field: Any = OnboardingRow._meta.fields_map["data"]
    decode = field.decoder  # the JSON field's own (orjson's when installed)
    return [
        (
            int(row["id"]),
            row["email_key"],
            _SIDES[row["side"]],
            row["record_id"],
            None if row["category"] is None else _CATEGORIES[row["category"]],
            row["link_id"],
            _decoded(decode, row["data"]),
        )
        for row in await connection.execute_query_dict(sql, values)
    ]


async def set_category(ids: Sequence[int], category: Category) -> None:
    """One UPDATE for these rows (the caller keeps a batch to its BATCH)."""
    if not ids:
        return
    connection = OnboardingRow._meta.db
    d = Dialect(connection.capabilities.dialect)
    q = d.quote
    p_category, *p_ids = d.params(1 + len(ids))
    sql = (
        f"UPDATE {q(OnboardingRow._meta.db_table)} SET {q('category')} = {p_category} "
        f"WHERE {q('id')} IN ({', '.join(p_ids)})"
    )
    await connection.execute_query(sql, [category.value, *ids])


def _decoded(decode: Any, raw: Any) -> dict[str, str | None]:
    """The data column as the field reads it: engines give JSON text (or bytes), or the value."""
    data: dict[str, str | None] = decode(raw) if isinstance(raw, str | bytes) else raw
    return data
