"""Row counts the database keeps itself, so that `stats` and log totals never count tables.

`counters` holds one row per (table, kind of row): `sync_map:CLIENT:SYNCED`,
`sync_logs:PUSH:SUCCESS:CLIENT` (the last part empty when the entry names no entity type).
Triggers on `sync_map` and `sync_logs` add and subtract in the statement that changes a row, so a
count is always that of the committed rows: no code path (an ORM save, a bulk update, a purge, a
delete by hand in SQL) can forget it, and a rolled-back change rolls its count back too.

Two transactions that move rows between the same two kinds touch the two counter rows in the
same order (by name), so they wait for each other and never deadlock.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

SYNC_MAP_PREFIX = "sync_map:"
SYNC_LOGS_PREFIX = "sync_logs:"


class Counter(Model):
    name = fields.CharField(max_length=100, primary_key=True)
    n = fields.BigIntField(default=0)

    class Meta:
        table = "counters"
        table_description = "Row counts kept by triggers on sync_map and sync_logs."


def _map_key(row: str, concat: bool = False) -> str:
    if concat:
        return f"CONCAT('{SYNC_MAP_PREFIX}', {row}.entity_type, ':', {row}.status)"
    return f"'{SYNC_MAP_PREFIX}' || {row}.entity_type || ':' || {row}.status"


def _log_key(row: str, concat: bool = False) -> str:
    if concat:
        return (
            f"CONCAT('{SYNC_LOGS_PREFIX}', {row}.operation, ':', {row}.status, ':', "
            f"COALESCE({row}.entity_type, ''))"
        )
    return (
        f"'{SYNC_LOGS_PREFIX}' || {row}.operation || ':' || {row}.status || ':' || "
        f"COALESCE({row}.entity_type, '')"
    )


def _postgres() -> list[str]:
    statements = [
        """CREATE OR REPLACE FUNCTION counters_add(key TEXT, delta BIGINT) RETURNS VOID AS $$
BEGIN
  INSERT INTO counters (name, n) VALUES (key, delta)
  ON CONFLICT (name) DO UPDATE SET n = counters.n + EXCLUDED.n;
END $$ LANGUAGE plpgsql"""
    ]
    for table, key, columns in (
        ("sync_map", _map_key, "entity_type, status"),
        ("sync_logs", _log_key, "operation, status, entity_type"),
    ):
        statements += [
            f"""CREATE OR REPLACE FUNCTION {table}_count() RETURNS TRIGGER AS $$
DECLARE
  old_key TEXT;
  new_key TEXT;
BEGIN
  IF TG_OP <> 'INSERT' THEN old_key := {key("OLD")}; END IF;
  IF TG_OP <> 'DELETE' THEN new_key := {key("NEW")}; END IF;
  IF old_key IS NOT DISTINCT FROM new_key THEN RETURN NULL; END IF;
  IF new_key IS NULL OR (old_key IS NOT NULL AND old_key < new_key) THEN
    PERFORM counters_add(old_key, -1);
    IF new_key IS NOT NULL THEN PERFORM counters_add(new_key, 1); END IF;
  ELSE
    PERFORM counters_add(new_key, 1);
    IF old_key IS NOT NULL THEN PERFORM counters_add(old_key, -1); END IF;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS {table}_count ON {table}",
            f"CREATE TRIGGER {table}_count AFTER INSERT OR DELETE OR UPDATE OF {columns} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_count()",
        ]
    return statements


def _sqlite() -> list[str]:
    def add(key: str, delta: int) -> str:
        return (
            f"INSERT INTO counters (name, n) VALUES ({key}, {delta}) "
            f"ON CONFLICT (name) DO UPDATE SET n = n + ({delta});"
        )

    statements = []
    for table, key, columns in (
        ("sync_map", _map_key, "entity_type, status"),
        ("sync_logs", _log_key, "operation, status, entity_type"),
    ):
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_count_insert",
            f"DROP TRIGGER IF EXISTS {table}_count_delete",
            f"DROP TRIGGER IF EXISTS {table}_count_update",
            f"CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table} "
            f"BEGIN {add(key('NEW'), 1)} END",
            f"CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table} "
            f"BEGIN {add(key('OLD'), -1)} END",
            # SQLite writes one transaction at a time: the order of the two rows cannot matter.
            f"CREATE TRIGGER {table}_count_update AFTER UPDATE OF {columns} ON {table} "
            f"WHEN {key('OLD')} IS NOT {key('NEW')} "
            f"BEGIN {add(key('OLD'), -1)} {add(key('NEW'), 1)} END",
        ]
    return statements


def _mysql() -> list[str]:
    def add(key: str, delta: int) -> str:
        return (
            f"INSERT INTO counters (name, n) VALUES ({key}, {delta}) "
            f"ON DUPLICATE KEY UPDATE n = n + ({delta});"
        )

    statements = []
    for table, key in (("sync_map", _map_key), ("sync_logs", _log_key)):
        old, new = key("OLD", True), key("NEW", True)
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_count_insert",
            f"DROP TRIGGER IF EXISTS {table}_count_delete",
            f"DROP TRIGGER IF EXISTS {table}_count_update",
            f"CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table} FOR EACH ROW "
            + add(new, 1).rstrip(";"),
            f"CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table} FOR EACH ROW "
            + add(old, -1).rstrip(";"),
            f"CREATE TRIGGER {table}_count_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"BEGIN IF NOT ({old} <=> {new}) THEN "
            f"IF {old} < {new} THEN {add(old, -1)} {add(new, 1)} "
            f"ELSE {add(new, 1)} {add(old, -1)} END IF; END IF; END",
        ]
    return statements


def _recount(concat: bool) -> list[str]:
    """Counts from the tables themselves: once, when the triggers are installed."""
    return [
        f"DELETE FROM counters WHERE name LIKE '{SYNC_MAP_PREFIX}%' "
        f"OR name LIKE '{SYNC_LOGS_PREFIX}%'",
        f"INSERT INTO counters (name, n) SELECT k, COUNT(*) FROM (SELECT {_map_key('m', concat)} "
        "AS k FROM sync_map m) AS keyed GROUP BY k",
        f"INSERT INTO counters (name, n) SELECT k, COUNT(*) FROM (SELECT {_log_key('l', concat)} "
        "AS k FROM sync_logs l) AS keyed GROUP BY k",
    ]


def counter_statements(dialect: str) -> list[str]:
    """The SQL that installs the triggers and counts what the tables already hold."""
    if dialect == "postgres":
        return _postgres() + _recount(False)
    if dialect == "mysql":
        return _mysql() + _recount(True)
    if dialect == "sqlite":
        return _sqlite() + _recount(False)
    raise ValueError(f"no counter triggers for the {dialect!r} dialect")


async def install_counters(client: Any) -> None:
    """Install the triggers (idempotent) and recount; `client` is a Tortoise connection."""
    dialect = client.capabilities.dialect
    for statement in counter_statements(dialect):
        if dialect == "sqlite":
            # One statement each; executescript would commit the migration's transaction.
            await client.execute_query(statement)
        else:
            await client.execute_script(statement)
