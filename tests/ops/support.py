"""The real server process (`whmcs-bridge serve`) for the operations tests: its own SQLite file,
its own port, its stderr kept for the log tests, stopped by SIGTERM as systemd would."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

import models
from whmcs_bridge.db import migrate, tortoise_config
from whmcs_bridge.tokens import create_token

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


async def in_database(url: str, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` with Tortoise open on `url` (the server's own database, from the test side)."""
    EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        return await work()


async def sqlite_with_tokens(
    tmp_path: Path, tokens: Iterable[tuple[str, models.TokenScope]]
) -> tuple[str, dict[str, str]]:
    """A migrated SQLite file and the tokens made in it (name -> token)."""
    url = f"sqlite://{tmp_path / 'bridge.sqlite3'}"
    await migrate(url)

    async def make() -> dict[str, str]:
        return {name: await create_token(name, scope) for name, scope in tokens}

    return url, await in_database(url, make)


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    stderr_lines: list[str] = field(default_factory=list)

    def signal(self, sig: int = signal.SIGTERM) -> None:
        self.process.send_signal(sig)

    def wait(self, timeout: float) -> int:
        """Wait for the process to end; keeps its stderr."""
        _, err = self.process.communicate(timeout=timeout)
        self.stderr_lines = err.splitlines()
        return self.process.returncode

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
        return self.wait(timeout)


def start_server(
    db_url: str,
    tmp_path: Path,
    *,
    args: Iterable[str] = (),
    host: str = "127.0.0.1",
    **env_extra: str,
) -> Server:
    port = free_port(host)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WHMCS_", "DATABASE_URL", "LOG_", "PROMETHEUS_", "ROOT_PATH"))
    }
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=db_url,
        API_RATE_LIMIT_PER_MINUTE="0",
        **env_extra,
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "whmcs_bridge.cli",
            "serve",
            "--host",
            host,
            "--port",
            str(port),
            *list(args),
        ],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Server(process, f"http://{host}:{port}")


def start_bridge(
    whmcs: Any, db_url: str, tmp_path: Path, *, args: Iterable[str] = (), **env: str
) -> Server:
    """The server, configured for the running sandbox `whmcs` (its URL and credentials)."""
    config = whmcs.config
    credentials = {
        "WHMCS_API_URL": whmcs.url,
        "WHMCS_API_IDENTIFIER": config.identifier,
        "WHMCS_API_SECRET": config.secret,
    }
    if config.access_key:
        credentials["WHMCS_API_ACCESS_KEY"] = config.access_key
    return start_server(db_url, tmp_path, args=args, **credentials, **env)


async def wait_ready(server: Server, within_s: float = 60) -> None:
    deadline = time.monotonic() + within_s
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise AssertionError("the server exited:\n" + server.process.communicate()[1])
            try:
                async with http.get(server.url + "/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the server did not come up")


async def gql(
    url: str, token: str, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> Any:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http,
        http.post(
            url + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}", **headers},
        ) as response,
    ):
        assert response.status == 200, await response.text()
        return await response.json()


async def wait_until(check: Callable[[], bool], within_s: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + within_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.02)


def require_tool(name: str) -> str:
    """The path of `name`; skips when it is missing, except under CI (.ci/run installs it)."""
    import shutil

    import pytest

    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing: .ci/run should have installed it")
        pytest.skip(f"{name} is not installed (apt-get install {name}; CI installs it)")
    return path
