"""Section 2 of `make bench`: WHMCS-bound operations against the raw WHMCS round trips they
need, the WHMCS calls each made, and one durable write's cost; `--baseline` runs it for two
trees side by side."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.harness import (
    ROOT,
    WHMCS_LATENCY_MS,
    BenchError,
    Gql,
    Proc,
    Report,
    Sandbox,
    log,
    p50,
    start_server,
)
from bench.queries import (
    M_CREATE,
    M_PULL,
    M_PUSH,
    M_UPDATE,
    M_UPDATE_LOCAL,
    Q_STATS,
    Q_WHMCS_CLIENTS,
)

# What each WHMCS-bound operation must cost in WHMCS calls (tests/graph/clients/test_call_counts.py
# pins the same numbers).
EXPECTED_CALLS = {
    "pushClient": ["GetClients", "AddClient"],
    "updateClient": ["GetClientsDetails", "UpdateClient"],
    "pullClient": ["GetClientsDetails"],
    "whmcsClients": ["GetClients"],
    "whmcsClients (cached)": [],
}


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
                from bench.modules import module_reads  # it imports bench.run

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
