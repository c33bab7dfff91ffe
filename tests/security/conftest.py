"""The real server as an attacker meets it: a subprocess on a loopback port, and raw HTTP.

`running_server` starts `whmcs-bridge serve`, or `uvicorn --factory whmcs_bridge.app:app_from_env`
with `--root-path` (the README's line for a proxy with a path prefix), in a temporary folder on
SQLite and the built-in sandbox, tokens required unless the test says otherwise. `raw_request`
sends bytes exactly as given (a path like `//graphql` or `/graph%71l`, a method in any case,
repeated headers), which an HTTP library would tidy up first.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tests.support.processes import free_port, stop

ROOT = Path(__file__).resolve().parents[2]
_OURS = (
    "WHMCS_",
    "DATABASE_",
    "REDIS_",
    "CORS_",
    "GRAPHQL_",
    "DEMO_",
    "API_",
    "ALLOWED_HOSTS",
    "HTTP_",
    "HOST",
    "PORT",
)


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]  # lower-case names; repeated ones joined with ", "
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


def read_response(sock: socket.socket) -> RawResponse:
    """One HTTP/1.1 answer from `sock` (Content-Length, chunked, or until the connection ends)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"the server closed the connection; got {data[:200]!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return RawResponse(status, headers, rest[:length])
    if headers.get("transfer-encoding") == "chunked":
        while not rest.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        body, remaining = b"", rest
        while remaining:
            size_line, _, remaining = remaining.partition(b"\r\n")
            size = int(size_line, 16)
            if size == 0:
                break
            body, remaining = body + remaining[:size], remaining[size + 2 :]
        return RawResponse(status, headers, body)
    while chunk := sock.recv(65536):
        rest += chunk
    return RawResponse(status, headers, rest)


def raw_request(
    port: int,
    method: str,
    target: str,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
    timeout: float = 15.0,
) -> RawResponse:
    """Send one request exactly as written (Host and Content-Length added unless given)."""
    names = {name.lower() for name, _ in headers}
    lines = [f"{method} {target} HTTP/1.1"]
    if "host" not in names:
        lines.append(f"Host: 127.0.0.1:{port}")
    lines += [f"{name}: {value}" for name, value in headers]
    if body and "content-length" not in names:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        return read_response(sock)


@dataclass
class Server:
    port: int
    prefix: str  # the mount point the app was told (--root-path), or ""
    env: dict[str, str]
    folder: Path
    log: Path
    process: subprocess.Popen[str]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "whmcs_bridge.cli", *args],
            env=self.env,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"whmcs-bridge {' '.join(args)}: {done.stderr}"
        return done.stdout.strip()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def server_env(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite://{folder / 'bridge.sqlite3'}",
        DEMO_ALLOW_ANONYMOUS="false",
        API_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE="0",  # tests of that budget set their own
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


@contextmanager
def running_server(
    folder: Path, *, root_path: str | None = None, **extra_env: str
) -> Iterator[Server]:
    """`whmcs-bridge serve`, or uvicorn with `--root-path` when `root_path` is given."""
    env = server_env(folder, **extra_env)
    subprocess.run(
        [sys.executable, "-m", "whmcs_bridge.cli", "migrate"],
        env=env,
        cwd=folder,
        check=True,
        timeout=120,
        capture_output=True,
    )
    port = free_port()
    if root_path is None:
        command = [sys.executable, "-m", "whmcs_bridge.cli", "serve", "--port", str(port)]
    else:
        command = [  # the README's line for uvicorn's own command line
            *(sys.executable, "-m", "uvicorn", "--factory", "whmcs_bridge.app:app_from_env"),
            *("--host", "127.0.0.1", "--port", str(port), "--root-path", root_path),
            *("--http", "whmcs_bridge.server:BoundedHttpToolsProtocol"),
            *("--h11-max-incomplete-event-size", "16384", "--limit-concurrency", "1000"),
        ]
    log = folder / f"server-{port}.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            command, env=env, cwd=folder, stdout=sink, stderr=subprocess.STDOUT, text=True
        )
    server = Server(port, root_path or "", env, folder, log, process)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        stop(process)


def _wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.process.poll() is None, f"the server stopped:\n{server.log_text()}"
        try:
            if raw_request(server.port, "GET", "/readyz", timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not become ready in 60 s:\n{server.log_text()}")
