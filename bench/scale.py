"""Section 4 of `make bench` (PostgreSQL): `stats` and `syncLogs` pages over many sync-map and
log rows, and the plans PostgreSQL chose for the product's queries."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from bench.harness import PG_URL, Gql, Proc, Report, log, p50, prepare_database, start_server
from bench.queries import Q_STATS, Q_SYNC_LOGS, Q_SYNC_LOGS_AFTER, Q_SYNC_LOGS_ERRORS


async def scale_section(report: Report, workdir: Path, sandbox_proc: Proc) -> None:
    url = PG_URL + "_scale"
    mode = report.mode
    token = await prepare_database(url, clients=1000, links=mode.scale_links, logs=mode.scale_logs)
    server = await start_server(workdir, "scale", url, sandbox_proc)
    try:
        async with aiohttp.ClientSession() as session:
            gql = Gql(session, server.url, token)
            first = (await gql(Q_SYNC_LOGS, {"offset": 0, "limit": 50}))["syncLogs"]
            deep_offset = mode.scale_logs // 5
            deep = (await gql(Q_SYNC_LOGS, {"offset": deep_offset, "limit": 1}))["syncLogs"][
                "items"
            ][0]["id"]
            cases: list[tuple[str, str, dict[str, Any]]] = [
                ("stats", Q_STATS, {}),
                ("syncLogs first page (50, with total)", Q_SYNC_LOGS, {"offset": 0, "limit": 50}),
                (
                    f"syncLogs page at offset {deep_offset:,}",
                    Q_SYNC_LOGS,
                    {"offset": deep_offset, "limit": 50},
                ),
                (
                    f"syncLogs same page by cursor (after: {deep})",
                    Q_SYNC_LOGS_AFTER,
                    {"after": str(int(deep) + 1), "limit": 50},
                ),
                ("syncLogs filter status ERROR (50)", Q_SYNC_LOGS_ERRORS, {"limit": 50}),
            ]
            if "after" not in await _log_arguments(gql):
                cases = [c for c in cases if "cursor" not in c[0]]
            for name, query, variables in cases:
                await gql(query, variables)  # warm
                samples = [
                    (await gql.timed(query, variables))[0] for _ in range(mode.scale_samples)
                ]
                report.scale.append(
                    {
                        "query": name,
                        "p50_ms": round(p50(samples), 2),
                        "p90_ms": round(sorted(samples)[int(len(samples) * 0.9) - 1], 2),
                    }
                )
                log(f"scale {name}: p50 {p50(samples):.2f} ms")
            report.scale.append(
                {"query": "(rows)", "links": mode.scale_links, "logs": first["total"]}
            )
    finally:
        server.stop()
    report.explain = await explain(url, cursor=int(deep) + 1)


async def _log_arguments(gql: Gql) -> set[str]:
    data = await gql('{ __type(name: "Query") { fields { name args { name } } } }')
    for f in data["__type"]["fields"]:
        if f["name"] == "syncLogs":
            return {a["name"] for a in f["args"]}
    return set()


class _SqlCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[tuple[str, list[Any]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if (
            len(args) == 2
            and isinstance(args[0], str)
            and args[0].lstrip().upper().startswith("SELECT")
        ):
            self.statements.append((args[0], list(args[1] or [])))


async def explain(url: str, cursor: int) -> dict[str, str]:
    """The product's own queries for stats and syncLogs pages, and PostgreSQL's plans for them."""
    from tortoise import Tortoise, connections
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    import models
    from integrations.whmcs.sync import reports
    from whmcs_bridge.db import tortoise_config

    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(url))
    db_log = logging.getLogger("tortoise.db_client")
    capture = _SqlCapture()
    db_log.addHandler(capture)
    old_level = db_log.level
    db_log.setLevel(logging.DEBUG)
    plans: dict[str, str] = {}
    everything = reports.LogQuery()
    errors_only = reports.LogQuery(status=models.LogStatus.ERROR)
    cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        ("stats", lambda: reports.stats()),
        ("syncLogs first page", lambda: reports.sync_logs(everything, offset=0, limit=50)),
        (
            f"syncLogs page after {cursor}",
            lambda: reports.sync_logs(everything, offset=0, limit=50, after=cursor),
        ),
        ("syncLogs status ERROR", lambda: reports.sync_logs(errors_only, offset=0, limit=50)),
    ]
    try:
        conn = connections.get("default")
        for name, run in cases:
            capture.statements.clear()
            await run()
            text = []
            for sql, params in list(capture.statements):
                rows = await conn.execute_query_dict(
                    "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params
                )
                plan = "\n".join("    " + r["QUERY PLAN"] for r in rows)
                text.append(f"  {sql}\n    -- parameters {params}\n{plan}")
            plans[name] = "\n\n".join(text)
    finally:
        db_log.removeHandler(capture)
        db_log.setLevel(old_level)
        await Tortoise.close_connections()
    return plans
