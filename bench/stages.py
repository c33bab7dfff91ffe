"""`python -m bench.stages [--engine sqlite|postgres] [--samples N] [--ops pull,update,...]`:
where the time of one WHMCS-bound request goes, stage by stage (docs/performance.md, "Bridge
overhead on the WHMCS-bound path").

Starts the WHMCS sandbox (20 ms per call, as in `make bench`) and the bench server of this tree
with a timing wrapper loaded (`serve`): per request it records when each stage started and how
long it took (the gate's token check, Strawberry's view and `Schema.execute`, every Tortoise
statement, `WhmcsClient.call`, the transport's POST, `read_answer`, the audit write), and the
main thread's CPU time for the whole request. Ops: pull, update, cached (whmcsClients from the
cache), invoices (a page of 5 of a new WHMCS client's invoices, uncached then cached). The driver
then prints, per kind of request, the median of each stage over the samples. Wall times are the
machine's; the CPU column and the order of the stages are what to read on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import functools
import gc
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from bench import run as harness

_TRACE: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar("trace", default=None)
_DONE: list[dict[str, Any]] = []
_GC: list[list[float]] = []  # per collection of the oldest generation: [when, ms]


def _timed(owner: Any, name: str, label: str) -> None:
    """Wrap ``owner.name`` (a coroutine function or a plain one) to record its stage."""
    original: Callable[..., Any] = getattr(owner, name)

    def record(trace: list[Any] | None, started: float) -> None:
        if trace is not None:
            trace.append((label, started, time.perf_counter() - started))

    if asyncio.iscoroutinefunction(original):

        @functools.wraps(original)
        async def wrapped_async(*args: Any, **kwargs: Any) -> Any:
            trace, started = _TRACE.get(), time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                record(trace, started)

        setattr(owner, name, wrapped_async)
    else:

        @functools.wraps(original)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            trace, started = _TRACE.get(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                record(trace, started)

        setattr(owner, name, wrapped)


def _instrument() -> None:
    from strawberry.schema.schema import Schema
    from tortoise.backends.asyncpg.client import AsyncpgDBClient
    from tortoise.backends.sqlite.client import SqliteClient

    from graph.view import BridgeGraphQL
    from integrations.whmcs import answer, client
    from integrations.whmcs.sync.audit import Audit
    from whmcs_bridge.observe import RequestObserver
    from whmcs_bridge.security import GraphQLGate

    _timed(GraphQLGate, "_principal", "gate: token")
    _timed(BridgeGraphQL, "run", "strawberry view")
    _timed(Schema, "execute", "Schema.execute")
    _timed(client.WhmcsClient, "call", "WhmcsClient.call")
    _timed(client._Transport, "_post", "  transport POST")
    _timed(answer, "read_answer", "  read_answer")
    client.read_answer = answer.read_answer  # type: ignore[attr-defined]
    _timed(Audit, "_write", "audit row")
    for db, prefix in ((SqliteClient, "sqlite"), (AsyncpgDBClient, "asyncpg")):
        for method in ("execute_query", "execute_query_dict", "execute_insert"):
            _timed(db, method, f"  {prefix}.{method}")

    observed = RequestObserver.__call__

    frozen: list[bool] = []

    async def traced(self: RequestObserver, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await observed(self, scope, receive, send)
            return
        if os.environ.get("BENCH_GC_FREEZE") == "1" and not frozen:  # started up: the first request
            frozen.append(True)
            gc.collect()
            gc.freeze()
        trace: list[Any] = []
        token = _TRACE.set(trace)
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            await observed(self, scope, receive, send)
        finally:
            _TRACE.reset(token)
            stages = [(label, at - started, took) for label, at, took in trace]
            wall, used = time.perf_counter() - started, time.thread_time() - cpu
            _DONE.append({"stages": stages, "wall": wall, "cpu": used})

    RequestObserver.__call__ = traced  # type: ignore[method-assign]


def serve(port: int, out: Path) -> None:
    """The bench server (bench/server.py) with the timing wrapper; SIGUSR1 writes the records."""
    _instrument()
    began: list[float] = []

    def collected(phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            began[:] = [time.perf_counter()]
        elif began:
            _GC.append([time.perf_counter(), (time.perf_counter() - began[0]) * 1000])

    gc.callbacks.append(collected)

    def dump(*_: Any) -> None:
        out.write_text(json.dumps(_DONE))
        out.with_suffix(".gc.json").write_text(json.dumps(_GC))

    signal.signal(signal.SIGUSR1, dump)
    from bench import server

    sys.argv = [sys.argv[0], "--port", str(port)]
    server.main()


def summarise(records: list[dict[str, Any]]) -> str:
    kinds: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        kinds[tuple(label for label, _, _ in record["stages"])].append(record)
    lines = []
    for shape, group in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        if len(group) < 3:
            continue
        wall = statistics.median(r["wall"] for r in group) * 1000
        p99 = statistics.quantiles([r["wall"] for r in group], n=100)[98] * 1000
        cpu = statistics.median(r["cpu"] for r in group) * 1000
        lines.append(
            f"{len(group)} requests: wall p50 {wall:.2f} ms, p99 {p99:.2f} ms,"
            f" main-thread CPU p50 {cpu:.2f} ms"
        )
        lines.append("   start ms   took ms  stage")
        for i, label in enumerate(shape):
            at = statistics.median(r["stages"][i][1] for r in group) * 1000
            took = statistics.median(r["stages"][i][2] for r in group) * 1000
            lines.append(f"  {at:9.2f} {took:9.2f}  {label}")
    return "\n".join(lines)


async def drive(engine: str, samples: int, ops: list[str], gc_freeze: bool = False) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="whmcs-bridge-stages-"))
    sandbox_proc = await harness.start_sandbox(workdir)
    url = f"sqlite://{workdir}/stages.sqlite3" if engine == "sqlite" else harness.PG_URL
    token = await harness.prepare_database(url, clients=200, links=200, logs=1000)
    port, out = harness.free_port(), workdir / "stages.json"
    env = {
        **harness.base_env(),
        "DATABASE_URL": url,
        "WHMCS_API_URL": sandbox_proc.url,
        "WHMCS_API_IDENTIFIER": harness.SANDBOX_ID,
        "WHMCS_API_SECRET": harness.SANDBOX_SECRET,
        "API_RATE_LIMIT_PER_MINUTE": "0",
        "LOG_LEVEL": "WARNING",
        "GRAPHQL_IDE": "false",
        "DEMO_ALLOW_ANONYMOUS": "false",
        "BENCH_GC_FREEZE": "1" if gc_freeze else "0",
    }
    args = [harness.PYTHON, "-m", "bench.stages", "serve", "--port", str(port), "--out", str(out)]
    server = harness.spawn(args, env, workdir / "server.log", port)
    try:
        await harness.wait_http(f"{server.url}/healthz", server)
        async with aiohttp.ClientSession() as session:
            gql, sandbox = (
                harness.Gql(session, server.url, token),
                harness.Sandbox(session, sandbox_proc),
            )
            await gql(harness.Q_STATS)
            await sandbox.control(op="set_latency", latency_ms=harness.WHMCS_LATENCY_MS)
            linked, owners = [], []
            if "invoices" in ops:  # a WHMCS client of its own per sample: the cache is per client
                from bench.modules import _client_with_records

                await sandbox.control(op="set_latency", latency_ms=0)
                for i in range(samples):
                    made = await _client_with_records(sandbox, f"stages-{time.time()}-{i}", 5)
                    owners.append(made["c"])
                await sandbox.control(op="set_latency", latency_ms=harness.WHMCS_LATENCY_MS)
            for i in range(samples if set(ops) - {"invoices"} else 0):
                created = await gql(
                    harness.M_CREATE, {"input": harness._client_input(f"stages-{i}")}
                )
                pushed = await gql(harness.M_PUSH, {"id": created["createLocalClient"]["id"]})
                linked.append((created["createLocalClient"]["id"], pushed["pushClient"]["whmcsId"]))
            server.proc.send_signal(signal.SIGUSR1)
            await asyncio.sleep(0.3)
            skip = len(json.loads(out.read_text()))
            gc_skip = len(json.loads(out.with_suffix(".gc.json").read_text()))
            for op in ops:
                if op == "invoices":  # uncached, then the same page from the cache
                    from bench.modules import READS

                    for owner in owners:
                        await gql(READS["whmcsInvoices"][0], {"c": owner})
                        await gql(READS["whmcsInvoices"][0], {"c": owner})
                    continue
                for i, (local_id, whmcs_id) in enumerate(linked):
                    if op == "pull":
                        await gql(harness.M_PULL, {"id": whmcs_id})
                    elif op == "update":
                        patch = {"city": f"Stage {i}"}
                        await gql(harness.M_UPDATE_LOCAL, {"id": local_id, "input": patch})
                        await gql(harness.M_UPDATE, {"id": local_id})
                    elif op == "cached":
                        await gql(harness.Q_WHMCS_CLIENTS, {"offset": 5})
            server.proc.send_signal(signal.SIGUSR1)
            await asyncio.sleep(0.5)
            sys.stdout.write(summarise(json.loads(out.read_text())[skip:]) + "\n")
            pauses = [ms for _, ms in json.loads(out.with_suffix(".gc.json").read_text())[gc_skip:]]
            shown = ", ".join(f"{ms:.1f}" for ms in pauses)
            sys.stdout.write(f"oldest-generation collections while measured: {len(pauses)}"
                             f" ({shown or 'none'} ms)\n")  # fmt: skip
    finally:
        server.stop()
        sandbox_proc.stop()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command")
    serving = sub.add_parser("serve")
    serving.add_argument("--port", type=int, required=True)
    serving.add_argument("--out", type=Path, required=True)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--ops", default="pull,update,cached")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.collect() + gc.freeze() once started up"
    )
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.port, args.out)
        return
    asyncio.run(drive(args.engine, args.samples, args.ops.split(","), args.gc_freeze))


if __name__ == "__main__":
    cli()
