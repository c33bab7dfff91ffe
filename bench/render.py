"""The table of docs/performance.md from a run's `Report`."""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
from pathlib import Path

from bench.harness import WHMCS_LATENCY_MS, Report


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
