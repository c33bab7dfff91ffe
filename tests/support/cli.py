"""The `whmcs-bridge` command as a user runs it: one-shot subprocesses and a real `serve`."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from tests.support.processes import free_port

__all__ = ["Answer", "Served", "cli_env", "free_port", "one_line", "post_graphql", "run", "serve"]

ROOT = Path(__file__).resolve().parents[2]
# What a test must not inherit from the shell that runs it.
_UNSET = ("WHMCS_", "DATABASE_URL", "HOST", "PORT", "DEMO_ALLOW_ANONYMOUS", "REDIS_URL")
_SERVED = re.compile(r"serving on (http://\S+)")
_TOKEN = re.compile(r"Authorization: Bearer (wbt_[A-Za-z0-9_-]+)")


def cli_env(env: dict[str, str]) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_UNSET)}
    return {**clean, "PYTHONPATH": str(ROOT), **env}


def run(
    args: list[str], env: dict[str, str], cwd: Path, *, stdin: int | None = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    """One command to its end; stdin is not a terminal unless a test gives one."""
    return subprocess.run(
        [sys.executable, "-m", "whmcs_bridge.cli", *args],
        capture_output=True,
        text=True,
        env=cli_env(env),
        cwd=cwd,
        stdin=stdin,
        timeout=120,
        check=False,
    )


@dataclass
class Answer:
    status: int
    body: Any


Variables = dict[str, Any] | None


def post_graphql(base: str, query: str, variables: Variables = None, **headers: str) -> Answer:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"content-type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, json.loads(exc.read() or b"null"))


@dataclass
class Served:
    """A running `whmcs-bridge serve`: its URL and demo token as the banner printed them."""

    process: subprocess.Popen[str]
    stderr_path: Path
    url: str = ""
    token: str | None = None
    stdout_lines: list[str] = field(default_factory=list)

    def graphql(self, query: str, variables: Variables = None, **headers: str) -> Answer:
        return post_graphql(self.url, query, variables, **headers)

    def as_demo(self, query: str, variables: Variables = None) -> Answer:
        assert self.token, "this server printed no demo token"
        return self.graphql(query, variables, Authorization=f"Bearer {self.token}")

    @property
    def stdout(self) -> str:
        return "".join(self.stdout_lines)

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def serve(
    env: dict[str, str], cwd: Path, *args: str, port: int | None = None, timeout: float = 60.0
) -> Served:
    """Start `whmcs-bridge serve ARGS`; return once /healthz answers.

    Without `port` it runs the demo on `--port 0` and takes the URL and the token from the
    banner (the port really served); with one (a real WHMCS: no banner) it serves there.
    """
    stderr_path = cwd / f"serve-{time.monotonic_ns()}.err"
    with stderr_path.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "whmcs_bridge.cli", "serve", "--port", str(port or 0), *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            env=cli_env(env),
            cwd=cwd,
        )
    served = Served(process, stderr_path, url=f"http://127.0.0.1:{port}" if port else "")
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while port is None and not (served.url and served.token):
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=max(remaining, 0.01))
        except queue.Empty:
            line = ""
        if line is None or remaining <= 0:
            process.kill()
            raise AssertionError(f"serve printed no banner; stderr:\n{served.stderr}")
        served.stdout_lines.append(line)
        if match := _SERVED.search(line):
            served.url = match.group(1)
        if (match := _TOKEN.search(line)) and served.token is None:
            served.token = match.group(1)

    def keep_pumping() -> None:
        while (line := lines.get()) is not None:
            served.stdout_lines.append(line)

    threading.Thread(target=keep_pumping, daemon=True).start()
    while True:
        try:
            urllib.request.urlopen(f"{served.url}/healthz", timeout=2).close()
            return served
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"serve did not come up; stderr:\n{served.stderr}") from None
            time.sleep(0.1)


def one_line(stderr: str) -> str:
    """The single line a failing command printed; fails the test on more, or a traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]
