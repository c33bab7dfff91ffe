"""Section 1 of `make bench`: GraphQL reads against the bare Starlette + Tortoise route, with
the load generator of bench/load.py in its own process, alternating the two."""

from __future__ import annotations

import asyncio
import json
import subprocess
from typing import Any

from bench.harness import PYTHON, ROOT, BenchError, Mode, Proc, Report, base_env, log, p50
from bench.queries import Q_CLIENTS, Q_STATS, Q_SYNC_LOGS, Q_SYNC_STATUS


def gql_spec(
    port: int, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "port": port,
        "method": "POST",
        "path": "/graphql",
        "headers": {"Authorization": f"Bearer {token}"},
        "body": json.dumps({"query": query, "variables": variables or {}}),
    }


def bare_spec(port: int, token: str, path: str) -> dict[str, Any]:
    return {
        "port": port,
        "method": "GET",
        "path": path,
        "headers": {"Authorization": f"Bearer {token}"},
    }


def run_load(spec: dict[str, Any], mode: Mode) -> dict[str, Any]:
    spec = {**spec, "seconds": mode.seconds, "connections": 16}
    out = subprocess.run(
        [PYTHON, "-m", "bench.load", json.dumps(spec)],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        check=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if result["errors"] or not result["requests"]:
        raise BenchError(f"load on {spec['path']} failed: {result}")
    return result


async def local_reads(report: Report, engine: str, server: Proc, token: str) -> None:
    reads = [
        (
            "syncStatus",
            gql_spec(server.port, token, Q_SYNC_STATUS, {"id": "7"}),
            bare_spec(server.port, token, "/bare/sync-status?id=7"),
        ),
        (
            "stats",
            gql_spec(server.port, token, Q_STATS),
            bare_spec(server.port, token, "/bare/stats"),
        ),
        (
            "syncLogs page (50)",
            gql_spec(server.port, token, Q_SYNC_LOGS, {"offset": 0, "limit": 50}),
            bare_spec(server.port, token, "/bare/sync-logs?offset=0&limit=50"),
        ),
        (
            "clients page (25)",
            gql_spec(server.port, token, Q_CLIENTS),
            bare_spec(server.port, token, "/bare/clients?offset=0&limit=25"),
        ),
    ]
    for name, graphql, bare in reads:
        g_runs, b_runs = [], []
        for _ in range(report.mode.rounds):
            g_runs.append(await asyncio.to_thread(run_load, graphql, report.mode))
            b_runs.append(await asyncio.to_thread(run_load, bare, report.mode))
        g_rps = p50([r["rps"] for r in g_runs])
        b_rps = p50([r["rps"] for r in b_runs])
        row = {
            "engine": engine,
            "read": name,
            "graphql_rps": g_rps,
            "bare_rps": b_rps,
            "ratio": round(g_rps / b_rps, 2),
            "graphql_p50_ms": p50([r["p50_ms"] for r in g_runs]),
            "bare_p50_ms": p50([r["p50_ms"] for r in b_runs]),
        }
        report.reads.append(row)
        log(f"{engine} {name}: GraphQL {g_rps} rps, bare {b_rps} rps, ratio {row['ratio']}")
