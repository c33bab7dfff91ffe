"""Bench data, written by the database itself (one INSERT ... SELECT per table).

PostgreSQL generates rows with `generate_series`, SQLite with a recursive CTE; both take seconds
for the local-read data set and PostgreSQL takes about a minute for the full scale set (1M links,
5M log rows). Rows are shaped like the product's: links mostly SYNCED with a snapshot, some
PENDING and ERROR; log rows one per WHMCS call with small redacted request and answer bodies,
spread over the last 60 days.
"""

from __future__ import annotations

from typing import Any

import asyncpg

_ACTIONS = "ARRAY['GetClients','GetClientsDetails','AddClient','UpdateClient']"


def _series(dialect: str, n: int) -> tuple[str, str]:
    """(prefix, from-clause) producing x = 1..n."""
    if dialect == "postgres":
        return "", f"generate_series(1, {n}) AS g(x)"
    return f"WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {n}) ", "g"


def _ago(dialect: str, seconds: str) -> str:
    if dialect == "postgres":
        return f"(now() - make_interval(secs => {seconds}))"
    return f"(strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ({seconds}) || ' seconds') || '+00:00')"


def _json(dialect: str, expr: str) -> str:
    return f"({expr})::jsonb" if dialect == "postgres" else expr


def _pick(dialect: str, index: str, values: list[str]) -> str:
    cases = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"CASE ({index}) {cases} END"


async def seed(conn: Any, dialect: str, *, clients: int, links: int, logs: int) -> None:
    """Insert `clients` local clients, `links` sync-map rows and `logs` audit rows.

    On PostgreSQL the counter triggers are off during the load and the counters are recounted
    after it (one GROUP BY instead of millions of trigger calls), as migration 0003 does.
    """
    from models.counters import install_counters

    if dialect == "postgres":
        await conn.execute_script(
            "ALTER TABLE sync_map DISABLE TRIGGER USER; ALTER TABLE sync_logs DISABLE TRIGGER USER"
        )
    try:
        await _seed(conn, dialect, clients=clients, links=links, logs=logs)
    finally:
        if dialect == "postgres":
            await conn.execute_script(
                "ALTER TABLE sync_map ENABLE TRIGGER USER;"
                " ALTER TABLE sync_logs ENABLE TRIGGER USER"
            )
    await install_counters(conn)


async def _seed(conn: Any, dialect: str, *, clients: int, links: int, logs: int) -> None:
    now = _ago(dialect, "0")
    if clients:
        prefix, source = _series(dialect, clients)
        await conn.execute_script(
            f"{prefix}INSERT INTO clients (first_name, last_name, email, email_key, company_name,"
            " phone_number, address1, city, state, postcode, country, created_at, updated_at)"
            f" SELECT 'First' || x, 'Last' || x, 'client' || x || '@bench.example',"
            f" 'client' || x || '@bench.example', 'Company ' || x, '+34 600 000 000',"
            f" 'Calle Mayor ' || x, 'Madrid', 'Madrid', '28013', 'ES', {now}, {now} FROM {source}"
        )
    if links:
        prefix, source = _series(dialect, links)
        status = (
            "CASE WHEN x % 20 = 0 THEN 'PENDING' WHEN x % 20 = 1 THEN 'ERROR' ELSE 'SYNCED' END"
        )
        snapshot = _json(
            dialect,
            '\'{"firstname": "First\' || x || \'", "lastname": "Last\' || x || \'",'
            ' "email": "client\' || x || \'@bench.example", "city": "Madrid",'
            ' "postcode": "28013", "country": "ES", "phonenumber": "+34 600 000 000"}\'',
        )
        await conn.execute_script(
            f"{prefix}INSERT INTO sync_map (entity_type, local_id, whmcs_id, status,"
            " last_synced_at, last_direction, last_error, snapshot, created_at, updated_at)"
            f" SELECT 'CLIENT', x, 1000000 + x, {status}, {now},"
            " CASE WHEN x % 2 = 0 THEN 'PUSH' ELSE 'PULL' END,"
            " CASE WHEN x % 20 = 1 THEN 'WHMCS refused the client.' ELSE NULL END,"
            f" {snapshot}, {now}, {now} FROM {source}"
        )
    if logs:
        prefix, source = _series(dialect, logs)
        span = max(1, 60 * 86400 // max(logs, 1))  # seconds between rows: 60 days in all
        action = _pick(
            dialect, "x % 4", ["GetClients", "GetClientsDetails", "AddClient", "UpdateClient"]
        )
        operation = _pick(dialect, "x % 4", ["LIST", "PULL", "PUSH", "UPDATE"])
        request = _json(dialect, '\'{"action": "GetClientsDetails", "clientid": "\' || x || \'"}\'')
        response = _json(
            dialect, '\'{"result": "success", "clientid": "\' || x || \'", "status": "Active"}\''
        )
        await conn.execute_script(
            f"{prefix}INSERT INTO sync_logs (operation, status, entity_type, local_id, whmcs_id,"
            " whmcs_action, request_data, response_data, error_message, duration_ms, actor,"
            " correlation_id, created_at)"
            f" SELECT {operation}, CASE WHEN x % 50 = 0 THEN 'ERROR' ELSE 'SUCCESS' END, 'CLIENT',"
            f" x % 100000 + 1, x % 100000 + 1000001, {action}, {request}, {response},"
            " CASE WHEN x % 50 = 0 THEN 'WHMCS timed out.' ELSE NULL END, 20 + x % 30, 'bench',"
            f" 'bench-' || (x / 3), {_ago(dialect, f'({logs} - x) * {span}')} FROM {source}"
        )


async def recreate_postgres(url: str) -> None:
    """Drop and create the database named by `url` (postgres://user@host:port/name)."""
    base, _, name = url.rpartition("/")
    admin = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1) + "/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop_postgres(url: str) -> None:
    base, _, name = url.rpartition("/")
    admin = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1) + "/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
