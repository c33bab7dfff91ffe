"""A bounded load test: the real server on loopback, a mix of queries and mutations, many clients.

    python bench/mixed_load.py            # full: 200 clients, 5 s warm-up, 30 s measured
    python bench/mixed_load.py --short    # CI: 50 clients, 2 s warm-up, 5 s measured

It starts `whmcs-bridge migrate`, `tokens create` and `serve` in a temporary folder (SQLite and the
built-in WHMCS sandbox, API_RATE_LIMIT_PER_MINUTE=0), on 127.0.0.1 only. Each virtual client
creates its own local client and pushes it to WHMCS, then loops until the deadline over a mix:
`clients`, `syncStatus`, `whmcsClients`, `stats`, `updateLocalClient` + `updateClient`, and now and
then a new `createLocalClient` + `pushClient`. One client in ten shares its partner's record on
purpose, so the claim on a record is contended: `SyncInProgressError` is the one error those
requests may get. Any other error (HTTP status, GraphQL error, error member, transport failure,
a traceback in the server log) is unintended.

It stops by itself: at the deadline, or after --max-requests, with a hard stop a minute later.
Reports requests, errors by kind, p50/p95/p99 latency (overall and per operation) and the
server's RSS (/proc/PID/status) at start, after the warm-up, in the middle and at the end; exits 1
when an unintended error happened or when RSS at the end exceeds the after-warm-up RSS times
--max-growth (1.5), 2 when the server did not start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only: this never sends a request anywhere else
HARD_STOP_S = 60.0  # after the deadline, in-flight requests get this long, then everything stops

ERRORS = "... on Error { code message }"
DOCUMENTS = {
    "clients": "query($s: String) { clients(limit: 25, search: $s) { total items { id email "
    "sync { status whmcsId } } } }",
    "syncStatus": "query($id: ID!) { syncStatus(localId: $id) { __typename "
    "... on SyncState { status whmcsId lastSyncedAt } " + ERRORS + " } }",
    "whmcsClients": "query($s: String) { whmcsClients(limit: 10, search: $s) { __typename "
    "... on WhmcsClientPage { total items { id email localClient { id } } } " + ERRORS + " } }",
    "stats": "{ stats { totalSynced totalPending totalErrors cacheHits cacheMisses } }",
    "createLocalClient": "mutation($input: ClientInput!) { createLocalClient(input: $input) { "
    "__typename ... on Client { id } " + ERRORS + " } }",
    "updateLocalClient": "mutation($id: ID!, $input: ClientPatch!) { updateLocalClient(id: $id, "
    "input: $input) { __typename ... on Client { id } " + ERRORS + " } }",
    "pushClient": "mutation($id: ID!) { pushClient(clientId: $id) { __typename "
    "... on PushClientSuccess { whmcsId } " + ERRORS + " } }",
    "updateClient": "mutation($id: ID!) { updateClient(clientId: $id) { __typename "
    "... on UpdateClientSuccess { changedFields } " + ERRORS + " } }",
}
# The loop's mix, by weight; "write" is updateLocalClient then updateClient, "create" is
# createLocalClient then pushClient.
MIX = {"clients": 20, "syncStatus": 20, "whmcsClients": 15, "stats": 15, "write": 25, "create": 5}
# What a request may answer besides success, by purpose: only contended writes may lose the claim.
INTENDED = {"contended": {"SyncInProgressError"}}
CITIES = ("Madrid", "Sevilla", "Bilbao", "Valencia", "Zaragoza", "Murcia")


@dataclass
class Tally:
    """Every request of the measured phase: latency and outcome per operation."""

    measuring: bool = False
    requests: int = 0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    intended: Counter[tuple[str, str]] = field(default_factory=Counter)
    unintended: Counter[tuple[str, str]] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    warmup_requests: int = 0


@dataclass
class Run:
    url: str
    token: str
    tally: Tally
    max_requests: int
    deadline: float = 0.0
    run_id: str = field(default_factory=lambda: f"{os.getpid()}-{int(time.time())}")

    def over(self) -> bool:
        return time.monotonic() >= self.deadline or self.tally.requests >= self.max_requests


def _outcome(status: int, body: dict[str, Any] | None) -> str:
    """ "ok", or the kind of error: HTTP status, GraphQL error code, or the error member."""
    if status != 200 or body is None:
        return f"HTTP {status}"
    if body.get("errors"):
        codes = {(e.get("extensions") or {}).get("code", "GRAPHQL") for e in body["errors"]}
        return "GraphQL " + ",".join(sorted(str(c) for c in codes))
    for value in (body.get("data") or {}).values():
        if isinstance(value, dict):
            name = value.get("__typename", "")
            if name.endswith("Error"):
                return str(name)
    return "ok"


async def call(
    run: Run,
    http: aiohttp.ClientSession,
    operation: str,
    variables: dict[str, Any],
    purpose: str = "own",
) -> dict[str, Any] | None:
    """One request; its latency and outcome go to the tally. The data, when it succeeded."""
    started = time.perf_counter()
    body: dict[str, Any] | None = None
    try:
        async with http.post(
            f"{run.url}/graphql",
            json={"query": DOCUMENTS[operation], "variables": variables},
            headers={"Authorization": f"Bearer {run.token}"},
        ) as response:
            status = response.status
            with contextlib.suppress(ValueError, aiohttp.ContentTypeError):
                body = await response.json()
            kind = _outcome(status, body)
    except (aiohttp.ClientError, TimeoutError) as exc:
        kind = f"transport {type(exc).__name__}"
    elapsed = time.perf_counter() - started
    tally = run.tally
    tally.requests += 1
    if tally.measuring:
        tally.latencies[operation].append(elapsed)
        tally.outcomes[(operation, kind)] += 1
    else:
        tally.warmup_requests += 1
    if kind != "ok":
        key = (operation, kind)
        if kind in INTENDED.get(purpose, set()):
            tally.intended[key] += 1
        else:
            tally.unintended[key] += 1
            if len(tally.samples) < 5:
                tally.samples.append(f"{operation} ({purpose}): {kind}: {json.dumps(body)[:300]}")
        return None
    data = (body or {}).get("data")
    return data if isinstance(data, dict) else None


def _client_input(run: Run, index: int, serial: int) -> dict[str, str]:
    return {
        "firstName": f"Load{index}",
        "lastName": f"Client{serial}",
        "email": f"load-{run.run_id}-{index}-{serial}@example.org",
        "phoneNumber": "+34 600 111 222",
        "address1": f"Calle Mayor {index}",
        "city": "Madrid",
        "state": "Madrid",
        "postcode": "28013",
        "country": "ES",
    }


async def create_and_push(
    run: Run, http: aiohttp.ClientSession, index: int, serial: int
) -> str | None:
    data = await call(run, http, "createLocalClient", {"input": _client_input(run, index, serial)})
    if data is None:
        return None
    local_id = str(data["createLocalClient"]["id"])
    await call(run, http, "pushClient", {"id": local_id})
    return local_id


async def virtual_client(
    run: Run,
    http: aiohttp.ClientSession,
    index: int,
    records: dict[int, asyncio.Future[str | None]],
    partner: int | None,
) -> None:
    """Own a local client (or share the partner's), then loop over the mix until the end."""
    rng = random.Random(index)
    serial = 0
    # Clients 8 and 9, 18 and 19... share one record: their writes contend for its claim.
    purpose = "contended" if index % 10 in (8, 9) else "own"
    if partner is None:
        own = await create_and_push(run, http, index, serial)
        records[index].set_result(own)
    else:
        own = await records[partner]  # the partner's record, created and pushed
    if own is None:
        return
    names, weights = list(MIX), list(MIX.values())
    while not run.over():
        choice = rng.choices(names, weights)[0]
        if choice == "write":
            patch = {"city": rng.choice(CITIES), "address2": f"Piso {rng.randint(1, 9)}"}
            await call(run, http, "updateLocalClient", {"id": own, "input": patch}, purpose)
            await call(run, http, "updateClient", {"id": own}, purpose)
        elif choice == "create":
            serial += 1
            await create_and_push(run, http, index, serial)
        elif choice == "syncStatus":
            await call(run, http, "syncStatus", {"id": own})
        elif choice == "clients":
            await call(run, http, "clients", {"s": rng.choice([None, "load", f"Load{index}"])})
        elif choice == "whmcsClients":
            await call(run, http, "whmcsClients", {"s": rng.choice([None, "load", "a"])})
        else:
            await call(run, http, "stats", {})


def rss_kib(pid: int) -> int:
    """The resident set size of a process, in KiB (VmRSS of /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        f"p{int(q * 100)}_ms": round(percentile(ordered, q) * 1000, 1) for q in (0.5, 0.95, 0.99)
    }


async def load(run: Run, pid: int, clients: int, warmup_s: float, seconds: float) -> dict[str, Any]:
    memory: dict[str, int] = {"start": rss_kib(pid)}
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    records: dict[int, asyncio.Future[str | None]] = {}
    loop = asyncio.get_running_loop()
    tasks = []
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        run.deadline = time.monotonic() + warmup_s + seconds
        for index in range(clients):
            # Clients 9, 19, 29... share the record of the client before them.
            partner = index - 1 if index % 10 == 9 else None
            if partner is None:
                records[index] = loop.create_future()
            tasks.append(asyncio.create_task(virtual_client(run, http, index, records, partner)))
        await asyncio.sleep(warmup_s)
        memory["after_warmup"] = rss_kib(pid)
        run.tally.measuring = True
        measured_from = time.monotonic()
        server_cpu, own_cpu = cpu_s(pid), time.process_time()
        await asyncio.sleep(seconds / 2)
        memory["middle"] = rss_kib(pid)
        peak = max(memory.values())
        while not run.over():
            await asyncio.sleep(0.25)
            peak = max(peak, rss_kib(pid))
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=HARD_STOP_S)
        measured_s = time.monotonic() - measured_from
        memory["end"] = rss_kib(pid)
        memory["peak"] = max(peak, memory["end"])
        cpu = {
            "server": round(cpu_s(pid) - server_cpu, 1),
            "load_generator": round(time.process_time() - own_cpu, 1),
        }
    return {"measured_s": round(measured_s, 2), "memory_kib": memory, "cpu_s": cpu}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(folder: Path) -> Iterator[tuple[subprocess.Popen[str], str, str, Path]]:
    """The real server on SQLite and the sandbox, in ``folder``: (process, url, token, log)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WHMCS_", "DATABASE_URL"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite://{folder / 'bridge.sqlite3'}",
        API_RATE_LIMIT_PER_MINUTE="0",
        DEMO_ALLOW_ANONYMOUS="false",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)  # the memory cache: one server
    cli = [sys.executable, "-m", "whmcs_bridge.cli"]
    subprocess.run([*cli, "migrate"], env=env, cwd=folder, check=True, capture_output=True)
    token = subprocess.run(
        [*cli, "tokens", "create", "load", "--scope", "write"],
        env=env,
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    port = _free_port()
    log = folder / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [*cli, "serve", "--host", HOST, "--port", str(port)],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            text=True,
        )
    try:
        yield process, f"http://{HOST}:{port}", token, log
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def wait_ready(process: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with status {process.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{url}/readyz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError("the server did not come up in 30 s")


def report(
    args: argparse.Namespace, tally: Tally, figures: dict[str, Any], server_log: str
) -> dict[str, Any]:
    everything = [v for values in tally.latencies.values() for v in values]
    measured = sum(len(v) for v in tally.latencies.values())
    memory = figures["memory_kib"]
    growth = memory["end"] / memory["after_warmup"]
    tracebacks = server_log.count("Traceback")
    return {
        "mode": "short" if args.short else "full",
        "clients": args.clients,
        "warmup_s": args.warmup,
        "seconds": figures["measured_s"],
        "requests": measured,
        "warmup_requests": tally.warmup_requests,
        "requests_per_s": round(measured / figures["measured_s"], 1),
        "latency": _ms(everything),
        "latency_by_operation": {
            op: {"requests": len(v), **_ms(v)} for op, v in sorted(tally.latencies.items())
        },
        "intended_errors": {f"{op}: {kind}": n for (op, kind), n in tally.intended.items()},
        "unintended_errors": {f"{op}: {kind}": n for (op, kind), n in tally.unintended.items()},
        "unintended_samples": tally.samples,
        "server_tracebacks": tracebacks,
        "cpu_s_measured": figures["cpu_s"],
        "memory_kib": memory,
        "memory_growth": round(growth, 3),
        "max_growth": args.max_growth,
    }


def verdict(result: dict[str, Any]) -> list[str]:
    problems = []
    if result["requests"] == 0:
        problems.append("no request was measured")
    if result["unintended_errors"]:
        problems.append(f"unintended errors: {result['unintended_errors']}")
    if result["server_tracebacks"]:
        problems.append(f"{result['server_tracebacks']} traceback(s) in the server log")
    if result["memory_growth"] > result["max_growth"]:
        problems.append(
            f"RSS grew {result['memory_growth']}x after the warm-up (at most "
            f"{result['max_growth']}x): {result['memory_kib']}"
        )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--short", action="store_true", help="CI: 50 clients, 2 s + 5 s")
    parser.add_argument("--clients", type=int, help="concurrent clients (200; 50 with --short)")
    parser.add_argument("--seconds", type=float, help="measured seconds (30; 5 with --short)")
    parser.add_argument("--warmup", type=float, help="warm-up seconds (5; 2 with --short)")
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    parser.add_argument("--max-growth", type=float, default=1.5)
    parser.add_argument("--output", type=Path, help="also write the JSON report here")
    args = parser.parse_args(argv)
    args.clients = args.clients or (50 if args.short else 200)
    args.seconds = args.seconds or (5.0 if args.short else 30.0)
    args.warmup = args.warmup or (2.0 if args.short else 5.0)
    if not (1 <= args.clients <= 1000 and 0 < args.seconds <= 600 and 0 < args.warmup <= 120):
        parser.error("clients 1..1000, seconds 0..600 and warmup 0..120")

    with tempfile.TemporaryDirectory(prefix="whmcs-bridge-load-") as tmp:
        with server(Path(tmp)) as (process, url, token, log):
            try:
                asyncio.run(wait_ready(process, url))
            except RuntimeError as exc:
                sys.stderr.write(f"mixed_load: {exc}\n{log.read_text()[-2000:]}\n")
                return 2
            tally = Tally()
            run = Run(url=url, token=token, tally=tally, max_requests=args.max_requests)
            figures = asyncio.run(load(run, process.pid, args.clients, args.warmup, args.seconds))
        result = report(args, tally, figures, log.read_text())

    text = json.dumps(result, indent=2)
    sys.stdout.write(text + "\n")
    if args.output:
        args.output.write_text(text + "\n")
    problems = verdict(result)
    for problem in problems:
        sys.stderr.write(f"mixed_load: FAILED: {problem}\n")
    if not problems:
        latency = result["latency"]
        sys.stderr.write(
            f"mixed_load: OK: {result['requests']} requests in {result['seconds']} s "
            f"({result['requests_per_s']}/s) from {result['clients']} clients, "
            f"p50 {latency['p50_ms']} ms, p95 {latency['p95_ms']} ms, p99 {latency['p99_ms']} ms, "
            f"RSS {result['memory_kib']['after_warmup']} -> {result['memory_kib']['end']} KiB\n"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
