"""The bench's harness: the sandbox and server processes, bench data in a database, GraphQL
and the sandbox over HTTP, and what a run records (`Mode`, `Report`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
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
