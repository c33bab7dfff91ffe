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
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import logging
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/whmcs_bridge_bench"
)
SANDBOX_ID, SANDBOX_SECRET = "sandbox-identifier", "sandbox-secret"
WHMCS_LATENCY_MS = 20

# What each WHMCS-bound operation must cost in WHMCS calls (tests/graph/clients/test_call_counts.py
# pins the same numbers).
EXPECTED_CALLS = {
    "pushClient": ["GetClients", "AddClient"],
    "updateClient": ["GetClientsDetails", "UpdateClient"],
    "pullClient": ["GetClientsDetails"],
    "whmcsClients": ["GetClients"],
    "whmcsClients (cached)": [],
}

Q_SYNC_STATUS = (
    "query($id: ID!) { syncStatus(localId: $id) { __typename ... on SyncState { localId synced"
    " whmcsId status lastSyncedAt lastDirection lastError pendingReason } ... on Error { code"
    " message } } }"
)
Q_STATS = (
    "{ stats { totalSynced totalPending totalErrors byEntityType { entityType count } cacheHits"
    " cacheMisses stalePending } }"
)
LOG_FIELDS = (
    "id operation status entityType localId whmcsId whmcsAction requestData responseData"
    " errorMessage durationMs actor correlationId createdAt"
)
Q_SYNC_LOGS = (
    "query($offset: Int!, $limit: Int!) { syncLogs(offset: $offset, limit: $limit) { total offset"
    f" limit items {{ {LOG_FIELDS} }} }} }}"
)
Q_SYNC_LOGS_AFTER = (
    "query($after: ID!, $limit: Int!) { syncLogs(after: $after, limit: $limit) { total offset"
    f" limit items {{ {LOG_FIELDS} }} }} }}"
)
Q_SYNC_LOGS_ERRORS = (
    "query($limit: Int!) { syncLogs(filter: {status: ERROR}, limit: $limit) { total items"
    f" {{ {LOG_FIELDS} }} }} }}"
)
Q_CLIENTS = (
    "{ clients(offset: 0, limit: 25) { total items { id firstName lastName email companyName"
    " city country sync { localId synced whmcsId status lastSyncedAt lastDirection lastError"
    " pendingReason } } } }"
)
M_CREATE = (
    "mutation($input: ClientInput!) { createLocalClient(input: $input) { __typename"
    " ... on Client { id } ... on Error { code message } } }"
)
M_UPDATE_LOCAL = (
    "mutation($id: ID!, $input: ClientPatch!) { updateLocalClient(id: $id, input: $input)"
    " { __typename ... on Error { code message } } }"
)
M_PUSH = (
    "mutation($id: ID!) { pushClient(clientId: $id) { __typename ... on PushClientSuccess"
    " { whmcsId } ... on Error { code message } } }"
)
M_UPDATE = (
    "mutation($id: ID!) { updateClient(clientId: $id) { __typename ... on UpdateClientSuccess"
    " { changedFields } ... on Error { code message } } }"
)
M_PULL = (
    "mutation($id: ID!) { pullClient(whmcsId: $id) { __typename ... on PullClientSuccess"
    " { operation } ... on Error { code message } } }"
)
Q_WHMCS_CLIENTS = (
    "query($offset: Int!) { whmcsClients(offset: $offset, limit: 25) { __typename"
    " ... on WhmcsClientPage { total items { id email } } ... on Error { code message } } }"
)
Q_WHMCS_CLIENT = (
    "query($id: ID!) { whmcsClient(id: $id) { __typename ... on WhmcsClient { id email city }"
    " ... on Error { code message } } }"
)


class BenchError(RuntimeError):
    """A request failed or an operation made the wrong WHMCS calls: the run fails."""


@dataclass(frozen=True)
class Mode:
    short: bool

    @property
    def seconds(self) -> float:
        return 1.0 if self.short else 5.0

    @property
    def rounds(self) -> int:  # alternating GraphQL / bare rounds per read
        return 1 if self.short else 3

    @property
    def samples(self) -> int:  # sequential samples per WHMCS-bound operation
        return 5 if self.short else 40

    @property
    def scale_links(self) -> int:
        return 20_000 if self.short else 1_000_000

    @property
    def scale_logs(self) -> int:
        return 100_000 if self.short else 5_000_000

    @property
    def scale_samples(self) -> int:
        return 10 if self.short else 50


@dataclass
class Report:
    mode: Mode
    reads: list[dict[str, Any]] = field(default_factory=list)
    ops: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, dict[str, float]] = field(default_factory=dict)
    cache: list[dict[str, Any]] = field(default_factory=list)
    scale: list[dict[str, Any]] = field(default_factory=list)
    explain: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    commit_ms: dict[str, float] = field(default_factory=dict)
    ops_samples: int | None = None  # samples per operation when not the mode's (--baseline)


def log(message: str) -> None:
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def p50(values: list[float]) -> float:
    return statistics.median(values)


# --- processes ------------------------------------------------------------------------------


@dataclass
class Proc:
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def wait_http(url: str, proc: Proc, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.proc.poll() is not None:
                raise BenchError(f"{url} exited: {proc.log_path.read_text()[-2000:]}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(url) as answer:
                    if answer.status < 500:
                        return
            await asyncio.sleep(0.1)
    raise BenchError(f"{url} did not answer in {seconds} s")


def spawn(
    args: list[str], env: dict[str, str], log_path: Path, port: int, root: Path = ROOT
) -> Proc:
    with log_path.open("wb") as out:
        proc = subprocess.Popen(args, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Proc(proc, port, log_path)


def base_env(root: Path = ROOT) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PYTHONPATH"] = str(root)  # before the installed package: this tree's code runs
    return env


async def start_sandbox(workdir: Path) -> Proc:
    port = free_port()
    proc = spawn(
        [PYTHON, "-m", "integrations.whmcs.sandbox", "--port", str(port), "--control"],
        base_env(),
        workdir / "sandbox.log",
        port,
    )
    await wait_http(f"{proc.url}/_sandbox/health", proc)
    return proc


async def start_server(
    workdir: Path, name: str, database_url: str, sandbox: Proc, root: Path = ROOT, **extra: str
) -> Proc:
    """The benchmark server of the tree ``root`` (this one, or a baseline checkout)."""
    port = free_port()
    env = {
        **base_env(root),
        "DATABASE_URL": database_url,
        "WHMCS_API_URL": sandbox.url,
        "WHMCS_API_IDENTIFIER": SANDBOX_ID,
        "WHMCS_API_SECRET": SANDBOX_SECRET,
        "API_RATE_LIMIT_PER_MINUTE": "0",
        "LOG_LEVEL": "WARNING",
        "GRAPHQL_IDE": "false",
        "DEMO_ALLOW_ANONYMOUS": "false",
        **extra,
    }
    proc = spawn(
        [PYTHON, "-m", "bench.server", "--port", str(port)],
        env,
        workdir / f"server-{name}.log",
        port,
        root,
    )
    await wait_http(f"{proc.url}/healthz", proc)
    return proc


# --- database preparation -------------------------------------------------------------------


async def prepare_database(
    url: str, *, clients: int, links: int, logs: int, recreate: bool = True
) -> str:
    """Create (PostgreSQL) and migrate the database, load bench data, return a write token."""
    from tortoise import Tortoise, connections
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    import models
    from bench.seed import recreate_postgres, seed
    from whmcs_bridge.db import migrate, tortoise_config
    from whmcs_bridge.tokens import replace_token

    EXECUTOR_CACHE.clear()  # Tortoise caches SQL per connection name, whatever the dialect
    dialect = "postgres" if url.startswith("postgres") else "sqlite"
    if dialect == "postgres" and recreate:
        await recreate_postgres(url)
    await migrate(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        started = time.monotonic()
        await seed(connections.get("default"), dialect, clients=clients, links=links, logs=logs)
        if dialect == "postgres":
            await connections.get("default").execute_script("VACUUM ANALYZE")
        else:
            await connections.get("default").execute_script("ANALYZE")
        log(
            f"{dialect}: {clients} clients, {links} links, {logs} log rows in "
            f"{time.monotonic() - started:.1f} s"
        )
        return await replace_token("bench", models.TokenScope.WRITE)
    finally:
        await Tortoise.close_connections()


# --- GraphQL over HTTP ----------------------------------------------------------------------


class Gql:
    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self.session, self.url, self.token = session, url, token

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        async with self.session.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.token}"},
        ) as answer:
            body: dict[str, Any] = await answer.json()
        if answer.status != 200 or body.get("errors"):
            raise BenchError(f"GraphQL failed ({answer.status}): {json.dumps(body)[:500]}")
        data: dict[str, Any] = body["data"]
        return data

    async def timed(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        data = await self(query, variables)
        return (time.perf_counter() - started) * 1000, data


class Sandbox:
    def __init__(self, session: aiohttp.ClientSession, proc: Proc) -> None:
        self.session, self.proc = session, proc

    async def control(self, **body: Any) -> dict[str, Any]:
        async with self.session.post(f"{self.proc.url}/_sandbox/control", json=body) as answer:
            data: dict[str, Any] = await answer.json()
        if not data.get("ok"):
            raise BenchError(f"sandbox control failed: {data}")
        return data

    async def journal_size(self) -> int:
        return len((await self.control(op="calls"))["calls"])

    async def calls_since(self, mark: int) -> list[str]:
        calls = (await self.control(op="calls"))["calls"]
        return [str(c.get("action")) for c in calls[mark:]]

    async def raw(self, action: str, **params: Any) -> float:
        """One WHMCS round trip straight to the sandbox (the floor of an operation)."""
        form = {
            "identifier": SANDBOX_ID,
            "secret": SANDBOX_SECRET,
            "action": action,
            "responsetype": "json",
            **{k: str(v) for k, v in params.items()},
        }
        started = time.perf_counter()
        async with self.session.post(f"{self.proc.url}/includes/api.php", data=form) as answer:
            body = await answer.json(content_type=None)
        elapsed = (time.perf_counter() - started) * 1000
        if body.get("result") != "success":
            raise BenchError(f"raw {action} failed: {body}")
        return elapsed


# --- 1. local reads -------------------------------------------------------------------------


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


# --- 2. WHMCS-bound operations --------------------------------------------------------------


def _client_input(tag: str) -> dict[str, Any]:
    return {
        "firstName": "Bench",
        "lastName": f"Client {tag}",
        "email": f"bench-{tag}@example.org",
        "phoneNumber": "+34 600 111 222",
        "address1": "Calle Mayor 1",
        "city": "Madrid",
        "state": "Madrid",
        "postcode": "28013",
        "country": "ES",
    }


@dataclass
class OpSamples:
    """What the WHMCS-bound section measured for one server, over one or more rounds."""

    times: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in EXPECTED_CALLS})
    calls: dict[str, list[list[str]]] = field(
        default_factory=lambda: {k: [] for k in EXPECTED_CALLS}
    )
    raw: dict[str, list[float]] = field(
        default_factory=lambda: {
            a: [] for a in ("GetClients", "GetClientsDetails", "AddClient", "UpdateClient")
        }
    )


async def whmcs_ops(report: Report, engine: str, gql: Gql, sandbox: Sandbox, run_id: str) -> None:
    samples = OpSamples()
    await measure_ops(report.mode.samples, samples, engine, gql, sandbox, run_id)
    summarise_ops(report, engine, samples)


async def measure_ops(
    n: int, samples: OpSamples, engine: str, gql: Gql, sandbox: Sandbox, run_id: str
) -> None:
    await sandbox.control(op="set_latency", latency_ms=WHMCS_LATENCY_MS)
    times, calls = samples.times, samples.calls

    async def measure(name: str, query: str, variables: dict[str, Any], ok: str) -> dict[str, Any]:
        mark = await sandbox.journal_size()
        ms, data = await gql.timed(query, variables)
        result = next(iter(data.values()))
        if result.get("__typename") != ok:
            raise BenchError(f"{name} answered {result}")
        times[name].append(ms)
        calls[name].append(await sandbox.calls_since(mark))
        return dict(result)

    linked: list[tuple[str, str]] = []
    for i in range(n):
        created = (await gql(M_CREATE, {"input": _client_input(f"{run_id}-{engine}-{i}")}))[
            "createLocalClient"
        ]
        if created["__typename"] != "Client":
            raise BenchError(f"createLocalClient answered {created}")
        pushed = await measure("pushClient", M_PUSH, {"id": created["id"]}, "PushClientSuccess")
        linked.append((created["id"], pushed["whmcsId"]))
    for i, (local_id, _) in enumerate(linked):
        await gql(M_UPDATE_LOCAL, {"id": local_id, "input": {"city": f"Sevilla {i}"}})
        await measure("updateClient", M_UPDATE, {"id": local_id}, "UpdateClientSuccess")
    for _, whmcs_id in linked:
        await measure("pullClient", M_PULL, {"id": whmcs_id}, "PullClientSuccess")
    for i in range(n):
        offset = 1000 + (hash((run_id, engine)) % 1000) * 100 + i  # a page nobody cached
        await measure("whmcsClients", Q_WHMCS_CLIENTS, {"offset": offset}, "WhmcsClientPage")
        await measure(
            "whmcsClients (cached)", Q_WHMCS_CLIENTS, {"offset": offset}, "WhmcsClientPage"
        )

    # The floor: the same WHMCS round trips, straight from a client, in the same run.
    raw = samples.raw
    for i, (_, whmcs_id) in enumerate(linked):
        raw["GetClients"].append(
            await sandbox.raw("GetClients", search=f"raw-{run_id}-{i}@", limitnum=100)
        )
        raw["GetClientsDetails"].append(await sandbox.raw("GetClientsDetails", clientid=whmcs_id))
        raw["UpdateClient"].append(
            await sandbox.raw("UpdateClient", clientid=whmcs_id, city=f"Raw {i}")
        )
        raw["AddClient"].append(
            await sandbox.raw(
                "AddClient",
                firstname="Raw",
                lastname=f"Client {i}",
                email=f"raw-{run_id}-{engine}-{i}@example.org",
                address1="Calle Mayor 1",
                city="Madrid",
                state="Madrid",
                postcode="28013",
                country="ES",
                phonenumber="+34 600 111 222",
                password2="Raw-Password-123!",
                noemail="true",
            )
        )
    await sandbox.control(op="set_latency", latency_ms=0)


def summarise_ops(report: Report, engine: str, samples: OpSamples) -> None:
    times, calls = samples.times, samples.calls
    raw_p50 = {a: round(p50(v), 2) for a, v in samples.raw.items()}
    report.raw[engine] = raw_p50
    for name, expected in EXPECTED_CALLS.items():
        made = calls[name]
        wrong = [c for c in made if c != expected]
        if wrong:
            report.errors.append(f"{engine} {name}: WHMCS calls {wrong[0]}, expected {expected}")
        floor = sum(raw_p50[a] for a in expected)
        op_p50 = round(p50(times[name]), 2)
        report.ops.append(
            {
                "engine": engine,
                "operation": name,
                "calls": " + ".join(expected) or "none",
                "n_calls": len(made[0]) if made else None,
                "calls_ok": not wrong,
                "p50_ms": op_p50,
                "raw_sum_ms": round(floor, 2),
                "overhead_ms": round(op_p50 - floor, 2),
            }
        )
        log(
            f"{engine} {name}: p50 {op_p50} ms, WHMCS floor {floor:.2f} ms, "
            f"calls {made[0] if made else '-'}"
        )


async def commit_cost(url: str, samples: int) -> float:
    """p50 of one durable single-row write (autocommit INSERT) on this engine: what each of an
    operation's bookkeeping writes (claim, intent, audit row, link, release) costs at least."""
    from tortoise import Tortoise, connections
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config_for(url))
    try:
        conn = connections.get("default")
        times = []
        for i in range(samples):
            started = time.perf_counter()
            await conn.execute_query(
                f"INSERT INTO counters (name, n) VALUES ('bench:probe:{i}', 0)"
            )
            times.append((time.perf_counter() - started) * 1000)
        await conn.execute_query("DELETE FROM counters WHERE name LIKE 'bench:probe:%'")
        return round(p50(times), 2)
    finally:
        await Tortoise.close_connections()


def tortoise_config_for(url: str) -> dict[str, Any]:
    from whmcs_bridge.db import tortoise_config

    return tortoise_config(url)


# --- 3. the read cache ----------------------------------------------------------------------


async def angular_session(
    gql: Gql, sandbox: Sandbox, local_id: str, whmcs_id: str, tag: str
) -> list[tuple[str, int]]:
    """List, open a client, check it, update it, list again; WHMCS calls per step."""
    steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        ("list", lambda: gql(Q_WHMCS_CLIENTS, {"offset": 0})),
        ("open a client", lambda: gql(Q_WHMCS_CLIENT, {"id": whmcs_id})),
        ("check", lambda: gql(Q_SYNC_STATUS, {"id": local_id})),
        ("update", lambda: _edit_and_update(gql, local_id, tag)),
        ("list again", lambda: gql(Q_WHMCS_CLIENTS, {"offset": 0})),
    ]
    made = []
    for name, step in steps:
        mark = await sandbox.journal_size()
        await step()
        made.append((name, len(await sandbox.calls_since(mark))))
    return made


async def _edit_and_update(gql: Gql, local_id: str, tag: str) -> None:
    await gql(M_UPDATE_LOCAL, {"id": local_id, "input": {"city": f"Cached {tag}"}})
    result = (await gql(M_UPDATE, {"id": local_id}))["updateClient"]
    if result["__typename"] != "UpdateClientSuccess":
        raise BenchError(f"updateClient answered {result}")


async def cache_section(
    report: Report, workdir: Path, sandbox_proc: Proc, url: str, token: str, run_id: str
) -> None:
    for label, enabled in (("cache on", "true"), ("cache off", "false")):
        server = await start_server(
            workdir, f"cache-{enabled}", url, sandbox_proc, WHMCS_CACHE_ENABLED=enabled
        )
        try:
            async with aiohttp.ClientSession() as session:
                gql, sandbox = Gql(session, server.url, token), Sandbox(session, sandbox_proc)
                created = (
                    await gql(M_CREATE, {"input": _client_input(f"{run_id}-cache-{enabled}")})
                )["createLocalClient"]
                pushed = (await gql(M_PUSH, {"id": created["id"]}))["pushClient"]
                steps: list[tuple[str, int]] = []
                for visit in range(2):  # the same session twice: a user coming back to the page
                    steps += await angular_session(
                        gql, sandbox, created["id"], pushed["whmcsId"], f"{enabled}{visit}"
                    )
                report.cache.append(
                    {"label": label, "steps": steps, "total": sum(n for _, n in steps)}
                )
                log(f"{label}: {steps}")
        finally:
            server.stop()


# --- 4. scale -------------------------------------------------------------------------------


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


# --- the table ------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    return f"{os.cpu_count()} cores ({cpu}), {mem} RAM, Python {platform.python_version()}"


def render(report: Report) -> str:
    mode = "short (CI)" if report.mode.short else "full"
    out = [
        f"whmcs-bridge bench, {mode} mode, "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {machine()}",
        "",
        "1. Local reads: GraphQL vs bare Starlette + Tortoise, same process, 16 connections "
        f"({report.mode.seconds:g} s x {report.mode.rounds} alternating rounds; median)",
        "",
        "| engine | read | GraphQL req/s | bare req/s | GraphQL/bare (target >= 0.75) |"
        " p50 GraphQL / bare ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in report.reads:
        mark = "" if r["ratio"] >= 0.75 else " (below)"
        out.append(
            f"| {r['engine']} | {r['read']} | {r['graphql_rps']:.0f} | {r['bare_rps']:.0f} |"
            f" **{r['ratio']:.2f}**{mark} | {r['graphql_p50_ms']} / {r['bare_p50_ms']} |"
        )
    out += [
        "",
        f"2. WHMCS-bound operations, sandbox at {WHMCS_LATENCY_MS} ms per call "
        f"({report.ops_samples or report.mode.samples} sequential samples each"
        + (", this tree and the baseline in alternating rounds)" if report.ops_samples else ")"),
        "",
        "| engine | operation | WHMCS calls | p50 ms | raw WHMCS sum p50 ms |"
        " overhead ms (target <= 2) |",
        "|---|---|---|---:|---:|---:|",
    ]
    for o in report.ops:
        calls = f"{o['n_calls']}: {o['calls']}" + ("" if o["calls_ok"] else " WRONG")
        out.append(
            f"| {o['engine']} | {o['operation']} | {calls} | {o['p50_ms']} | {o['raw_sum_ms']} |"
            f" **{o['overhead_ms']:+.2f}** |"
        )
    for engine, ms in report.commit_ms.items():
        out.append(f"\none durable single-row write p50 ({engine}): {ms} ms")
    for engine, raw in report.raw.items():
        out.append(
            f"\nraw WHMCS round trips p50 ({engine}): "
            + ", ".join(f"{a} {v} ms" for a, v in raw.items())
        )
    out += [
        "",
        "3. Read cache: WHMCS calls of a scripted Angular session (list, open a client, "
        "check, update, list again; done twice)",
        "",
        "| | "
        + " | ".join(f"{n} {i // 5 + 1}" for i, (n, _) in enumerate(report.cache[0]["steps"]))
        + " | total |"
        if report.cache
        else "",
        "|---|" + "---:|" * (len(report.cache[0]["steps"]) + 1) if report.cache else "",
    ]
    for c in report.cache:
        out.append(
            f"| {c['label']} | "
            + " | ".join(str(n) for _, n in c["steps"])
            + f" | **{c['total']}** |"
        )
    if report.scale:
        rows = next(r for r in report.scale if r["query"] == "(rows)")
        out += [
            "",
            f"4. Scale, PostgreSQL: {rows['links']:,} sync-map rows, {rows['logs']:,} log rows "
            f"({report.mode.scale_samples} sequential samples)",
            "",
            "| query | p50 ms | p90 ms |",
            "|---|---:|---:|",
        ]
        for r in report.scale:
            if r["query"] != "(rows)":
                out.append(f"| {r['query']} | {r['p50_ms']} | {r['p90_ms']} |")
    if report.errors:
        out += ["", "ERRORS:"] + [f"- {e}" for e in report.errors]
    return "\n".join(out)


def _start_postgres() -> None:
    clusters = Path("/etc/postgresql")
    if shutil.which("pg_ctlcluster") and clusters.is_dir():
        version = sorted(p.name for p in clusters.iterdir())[0]
        log(f"starting PostgreSQL {version}")
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False
        )


async def ensure_postgres() -> None:
    """Start the local PostgreSQL cluster when it is down (as .ci/run does); fail clearly."""
    import asyncpg

    admin = PG_URL.rpartition("/")[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    for attempt in range(30):
        try:
            await (await asyncpg.connect(admin, timeout=2)).close()
            return
        except (OSError, asyncpg.PostgresError):
            if attempt == 0:
                await asyncio.to_thread(_start_postgres)
            await asyncio.sleep(1)
    raise BenchError(f"PostgreSQL does not answer at {admin} (set BENCH_POSTGRES_URL)")


async def baseline_ops(
    report: Report,
    workdir: Path,
    sandbox_proc: Proc,
    label: str,
    url: str,
    token: str,
    run_id: str,
    baseline: Path,
    *,
    modules: bool = False,
) -> None:
    """The WHMCS-bound section for this tree and the ``baseline`` tree side by side: both
    servers on the same database and sandbox, in alternating rounds, so both see the same
    machine. Rows: "<engine> (baseline)" and "<engine>". With ``modules``, then the module
    reads (bench/modules.py) of both trees, alternating, twice ("... #1", "... #2")."""
    rounds = max(report.mode.rounds, 2) * 2
    per_round = max(report.mode.samples // 2, 3)
    trees = {f"{label} (baseline)": baseline, label: ROOT}
    samples = {name: OpSamples() for name in trees}
    servers = {
        name: await start_server(workdir, f"{label}-{i}", url, sandbox_proc, root)
        for i, (name, root) in enumerate(trees.items())
    }
    try:
        async with aiohttp.ClientSession() as session:
            sandbox = Sandbox(session, sandbox_proc)
            for r in range(rounds):
                for i, name in enumerate(trees):
                    gql = Gql(session, servers[name].url, token)
                    await gql(Q_STATS)  # warm
                    tag = f"{run_id}-r{r}-t{i}"
                    await measure_ops(per_round, samples[name], label, gql, sandbox, tag)
                    log(f"{name}: round {r + 1}/{rounds} done")
            if modules:
                from bench.modules import module_reads  # it imports this module

                for r in range(2):  # the module pages of both trees, alternating, twice
                    for i, name in enumerate(trees):
                        gql = Gql(session, servers[name].url, token)
                        tag = f"{run_id}-m{r}-t{i}"
                        await module_reads(report, f"{name} #{r + 1}", gql, sandbox, tag)
    finally:
        for server in servers.values():
            server.stop()
    report.ops_samples = rounds // 2 * per_round
    for name in trees:
        summarise_ops(report, name, samples[name])


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
