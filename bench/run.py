"""`python -m bench.run [--short]`: the performance table of docs/performance.md, in one run.

Starts a WHMCS sandbox process (20 ms per answer for the WHMCS-bound part), then, for SQLite and
PostgreSQL in turn, a database with bench data and the benchmark server (the product app plus the
`/bare/*` routes of bench/bare.py, uvicorn with uvloop and httptools, one worker). It measures:

1. local reads: GraphQL requests/s against the bare Starlette + Tortoise route doing the same
   queries in the same process, with the load generator of bench/load.py in its own process,
   alternating the two so that both see the same machine;
2. WHMCS-bound operations: p50 latency against the sum of the p50s of the raw WHMCS round trips
   the operation needs, measured in the same run, and the WHMCS calls each operation made;
3. the read cache: WHMCS calls of a scripted Angular session with the cache on and off;
4. scale (PostgreSQL): `stats` and `syncLogs` pages over 1M sync-map rows and 5M log rows, with
   the plans PostgreSQL chose for the product's queries.

Absolute times depend on the machine and its neighbours; the ratios are the result. The run exits
non-zero on any failed request and on any WHMCS call count other than the documented one.

This module is the driver (`main`, `cli`); the harness is bench/harness.py (processes, bench data,
GraphQL and the sandbox over HTTP), the documents bench/queries.py, and the sections
bench/local_reads.py, bench/whmcs_ops.py (with `--baseline`), bench/cache_session.py,
bench/scale.py; bench/render.py writes the table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.cache_session import cache_section
from bench.harness import (
    PG_URL,
    PYTHON,
    ROOT,
    SANDBOX_ID,
    SANDBOX_SECRET,
    WHMCS_LATENCY_MS,
    BenchError,
    Gql,
    Mode,
    Report,
    Sandbox,
    base_env,
    ensure_postgres,
    free_port,
    log,
    p50,
    prepare_database,
    spawn,
    start_sandbox,
    start_server,
    wait_http,
)
from bench.local_reads import local_reads
from bench.queries import (
    M_CREATE,
    M_PULL,
    M_PUSH,
    M_UPDATE,
    M_UPDATE_LOCAL,
    Q_STATS,
    Q_WHMCS_CLIENTS,
)
from bench.render import render
from bench.scale import scale_section
from bench.whmcs_ops import _client_input, baseline_ops, commit_cost, whmcs_ops

# bench/modules.py, bench/round_trips.py and bench/stages.py import the harness from here.
__all__ = [
    "M_CREATE",
    "M_PULL",
    "M_PUSH",
    "M_UPDATE",
    "M_UPDATE_LOCAL",
    "PG_URL",
    "PYTHON",
    "Q_STATS",
    "Q_WHMCS_CLIENTS",
    "SANDBOX_ID",
    "SANDBOX_SECRET",
    "WHMCS_LATENCY_MS",
    "BenchError",
    "Gql",
    "Report",
    "Sandbox",
    "_client_input",
    "base_env",
    "cli",
    "free_port",
    "log",
    "main",
    "p50",
    "prepare_database",
    "spawn",
    "start_sandbox",
    "wait_http",
]


async def main(
    short: bool,
    engines: list[str],
    out_dir: Path,
    baseline: Path | None = None,
    *,
    modules: bool = False,
) -> int:
    mode = Mode(short)
    report = Report(mode)
    run_id = f"{int(time.time())}"
    await asyncio.to_thread(out_dir.mkdir, parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="whmcs-bridge-bench-"))
    sandbox_proc = await start_sandbox(workdir)
    try:
        if "postgres" in engines:
            await ensure_postgres()
        for engine in engines:
            if engine == "sqlite":
                url = f"sqlite://{workdir}/bench.sqlite3" + os.environ.get(
                    "BENCH_SQLITE_PARAMS", ""
                )
            else:
                url = PG_URL
            label = "SQLite" if engine == "sqlite" else "PostgreSQL"
            token = await prepare_database(url, clients=1000, links=1000, logs=10_000)
            if baseline is not None:
                await baseline_ops(
                    report, workdir, sandbox_proc, label, url, token, run_id, baseline,
                    modules=modules,
                )  # fmt: skip
                continue
            server = await start_server(workdir, engine, url, sandbox_proc)
            try:
                async with aiohttp.ClientSession() as session:
                    gql, sandbox = Gql(session, server.url, token), Sandbox(session, sandbox_proc)
                    await gql(Q_STATS)
                    await local_reads(report, label, server, token)
                    await whmcs_ops(report, label, gql, sandbox, run_id)
                    from bench.modules import module_reads  # it imports this module

                    await module_reads(report, label, gql, sandbox, run_id)
            finally:
                server.stop()
            report.commit_ms[label] = await commit_cost(url, mode.samples * 4)
            log(f"{label}: one durable single-row write p50 {report.commit_ms[label]} ms")
            if engine == "sqlite":
                await cache_section(report, workdir, sandbox_proc, url, token, run_id)
        if "postgres" in engines and baseline is None:
            await scale_section(report, workdir, sandbox_proc)
    except BenchError as exc:
        report.errors.append(str(exc))
    finally:
        sandbox_proc.stop()
    table = render(report)
    sys.stdout.write(table + "\n")
    (out_dir / ("short.md" if short else "latest.md")).write_text(table + "\n")
    (out_dir / ("short-explain.txt" if short else "latest-explain.txt")).write_text(
        "\n\n".join(f"== {k}\n{v}" for k, v in report.explain.items()) + "\n"
    )
    name = ("baseline-" if baseline is not None else "") + ("short" if short else "latest")
    (out_dir / f"{name}.json").write_text(
        json.dumps({k: v for k, v in report.__dict__.items() if k != "mode"}, indent=1, default=str)
    )
    if report.errors:
        log(f"server and sandbox logs kept in {workdir}")
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--short", action="store_true", help="CI mode: small data, short runs")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help=(
            "another checkout of the project (e.g. `git worktree add ../base <commit>`): only "
            "the WHMCS-bound section runs, for that tree and this one side by side"
        ),
    )
    parser.add_argument(
        "--modules",
        action="store_true",
        help="with --baseline: also the module reads of both trees, alternating, twice",
    )
    args = parser.parse_args()
    baseline = args.baseline.resolve() if args.baseline else None
    engines = args.engines.split(",")
    sys.exit(asyncio.run(main(args.short, engines, args.out, baseline, modules=args.modules)))


if __name__ == "__main__":
    cli()
