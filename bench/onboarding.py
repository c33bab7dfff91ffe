"""`python -m bench.onboarding`: reconcile at scale against the sandbox at 20 ms per call.

For each size (default 2,000 and 10,000 WHMCS clients with as many local ones: 80 % share an
e-mail, half of those with another first name), in a fresh SQLite file:

1. the sandbox in its own process (`whmcs-bridge sandbox --data`), every answer after 20 ms;
2. the raw round trip of one GetClients page (250 rows), p50 of 20 sent straight to it;
3. the reconcile (a dry run, the product's `Onboarding`, built as `whmcs-bridge reconcile` builds
   it) in a child process of its own, timed from start to DONE; its peak RSS above its RSS
   before the run (`ru_maxrss`), and in a second child the peak of Python's own allocations
   during the run (tracemalloc);
4. the bound of issue 14: 1.3 x (pages x round trip / WHMCS_MAX_CONCURRENCY).

Memory is flat when the peaks stay about the same from one size to the next. Prints a markdown
table (docs/performance.md, section "Onboarding"); exits non-zero when a reconcile's summary is
not the one the data was built for (never on times).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LATENCY_MS = 20
PAGE = 250
CONCURRENCY = 8
SANDBOX_ID, SANDBOX_SECRET = "sandbox-identifier", "sandbox-secret"


def expected(n: int) -> dict[str, int]:
    shared = n * 8 // 10
    conflicts = shared // 2
    return {
        "linked": 0,
        "would_link": shared - conflicts,
        "conflicts": conflicts,
        "local_only": n - shared,
        "whmcs_only": n - shared,
        "ambiguous": 0,
    }


def build_sandbox_file(path: Path, n: int) -> None:
    from integrations.whmcs.sandbox import SandboxState, StateFile

    state = SandboxState(seed=False)
    for i in range(n):
        state.add_client(firstname=f"P{i}", lastname="Bench", email=f"p{i:06}@example.org")
    StateFile(path).save(state)


async def build_locals(url: str, n: int) -> None:
    from tortoise.context import TortoiseContext

    import models
    from whmcs_bridge.db import migrate, tortoise_config

    await migrate(url)
    shared = n * 8 // 10
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        for start in range(0, n, 1000):
            rows = []
            for i in range(start, min(n, start + 1000)):
                email = f"p{i:06}@example.org" if i < shared else f"local{i:06}@example.org"
                first = f"P{i}" if i < shared // 2 or i >= shared else f"Other{i}"
                rows.append(
                    models.Client(first_name=first, last_name="Bench", email=email, email_key=email)
                )
            await models.Client.bulk_create(rows)


def child_env(url: str, whmcs_url: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WHMCS_", "DATABASE_URL"))},
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": url,
        "WHMCS_API_URL": whmcs_url,
        "WHMCS_API_IDENTIFIER": SANDBOX_ID,
        "WHMCS_API_SECRET": SANDBOX_SECRET,
        "WHMCS_ALLOW_INSECURE_URL": "true",
        "WHMCS_MAX_CONCURRENCY": str(CONCURRENCY),
        "WHMCS_LOG_RESPONSES": "false",
        "LOG_LEVEL": "WARNING",
    }


async def child_run(traced: bool) -> dict[str, Any]:
    """In the child: build the bridge as the CLI does, run one dry reconcile, measure it."""
    from integrations.whmcs.sync.onboarding import Onboarding
    from models import JobKind
    from whmcs_bridge.app import create_app
    from whmcs_bridge.settings import Settings

    settings = Settings.from_env()
    app = create_app(settings, require_tokens=False)
    async with app.router.lifespan_context(app):
        phases: dict[str, float] = {}

        def seen(job: Any) -> None:
            phases.setdefault(job.phase.value, time.perf_counter())

        onboarding = Onboarding(app.state.bridge, actor="bench", page_size=PAGE, on_progress=seen)
        lease, _ = await onboarding.start(JobKind.RECONCILE, applying=False)
        before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        result = await onboarding.run(lease)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        after_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        ends = {**phases, "DONE": started + elapsed}
        order = [p for p in ("WHMCS", "LOCAL", "SORT", "DONE") if p in ends]
        return {
            "seconds": elapsed,
            "phases": {a: round(ends[b] - ends[a], 3) for a, b in itertools.pairwise(order)},
            "rss_growth_kb": after_kb - before_kb,
            "rss_peak_kb": after_kb,
            "traced_peak_kb": peak // 1024,
            "summary": result.summary,
        }


def raw_round_trip(whmcs_url: str, total: int) -> float:
    from urllib.parse import urlencode

    samples = []
    for i in range(20):
        offset = (i * 7 * PAGE) % max(total - PAGE, 1)
        body = urlencode(
            {
                "identifier": SANDBOX_ID,
                "secret": SANDBOX_SECRET,
                "action": "GetClients",
                "responsetype": "json",
                "limitstart": offset,
                "limitnum": PAGE,
            }
        ).encode()
        started = time.perf_counter()
        with urllib.request.urlopen(f"{whmcs_url}/includes/api.php", body, timeout=30) as r:
            r.read()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def control(whmcs_url: str, op: dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"{whmcs_url}/_sandbox/control",
        data=json.dumps(op).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["ok"]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the sandbox exited ({process.returncode})")
        try:
            control(url, {"op": "calls", "action": "none"})
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the sandbox did not start")


def measure(n: int, workdir: Path) -> dict[str, Any]:
    data = workdir / f"sandbox-{n}.json"
    build_sandbox_file(data, n)
    port = free_port()
    whmcs_url = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "whmcs_bridge.cli",
            "sandbox",
            "--control",
            "--port",
            str(port),
            "--data",
            str(data),
        ],
        env=child_env("sqlite://:memory:", whmcs_url),
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(whmcs_url, sandbox)
        control(whmcs_url, {"op": "set_latency", "latency_ms": LATENCY_MS})
        rtt = raw_round_trip(whmcs_url, n)
        runs = {}
        for traced in (False, True):
            url = f"sqlite://{workdir / f'bridge-{n}-{int(traced)}.sqlite3'}"
            asyncio.run(build_locals(url, n))
            output = subprocess.run(
                [sys.executable, "-m", "bench.onboarding", "--child"]
                + (["--traced"] if traced else []),
                env=child_env(url, whmcs_url),
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if output.returncode != 0:
                raise SystemExit(f"the reconcile child failed: {output.stderr[-2000:]}")
            runs[traced] = json.loads(output.stdout.strip().splitlines()[-1])
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    pages = math.ceil(n / PAGE)
    floor = pages * rtt / CONCURRENCY
    return {
        "n": n,
        "rtt": rtt,
        "pages": pages,
        "floor": floor,
        "plain": runs[False],
        "traced": runs[True],
    }


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"Reconcile (dry run), sandbox at {LATENCY_MS} ms per call, GetClients pages of {PAGE}, "
        f"WHMCS_MAX_CONCURRENCY={CONCURRENCY}, SQLite file; as many local clients as WHMCS ones",
        "",
        "| WHMCS + local clients | pages | raw page p50 ms | bound 1.3 x pages x rtt / conc. s |"
        " reconcile s | of which reading both sides / sorting s | ratio to the bound |"
        " peak RSS growth MiB | tracemalloc peak MiB | summary as built |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        bound = 1.3 * row["floor"]
        plain, traced = row["plain"], row["traced"]
        ok = plain["summary"] == expected(row["n"]) and traced["summary"] == expected(row["n"])
        ratio = plain["seconds"] / bound
        phases = plain["phases"]
        staging = phases.get("WHMCS", 0.0) + phases.get("LOCAL", 0.0)
        sorting = phases.get("SORT", 0.0)
        verdict = "met" if ratio <= 1 else "NOT met"
        lines.append(
            f"| {row['n']:,} + {row['n']:,} | {row['pages']} | {row['rtt'] * 1000:.1f} |"
            f" {bound:.3f} | {plain['seconds']:.2f} | {staging:.2f} / {sorting:.2f} |"
            f" **{ratio:.1f}x** ({verdict}) |"
            f" {plain['rss_growth_kb'] / 1024:.1f} | {traced['traced_peak_kb'] / 1024:.1f} |"
            f" {'yes' if ok else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.stdout.write(json.dumps(asyncio.run(child_run(args.traced))) + "\n")
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="whmcs-bridge-onboarding-bench-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            rows.append(measure(n, Path(tmp)))
            sys.stderr.write(f"measured {n}\n")
    sys.stdout.write(render(rows) + "\n")
    wrong = [r["n"] for r in rows if r["plain"]["summary"] != expected(r["n"])]
    if wrong:
        sys.stderr.write(f"reconcile summaries differ from the data built, sizes: {wrong}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
