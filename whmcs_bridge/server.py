"""`whmcs-bridge serve`: uvicorn as production runs it.

- Behind a proxy: `ROOT_PATH` (the path prefix the proxy serves this under, which it strips),
  proxy headers trusted from `FORWARDED_ALLOW_IPS` only.
- Shutdown bounded by Settings.shutdown_grace_s (see whmcs_bridge.shutdown).
- `WORKERS` > 1 (or `--workers`): that many processes on one socket; prometheus-client's
  multiprocess mode adds their metrics up, in PROMETHEUS_MULTIPROC_DIR (a fresh temporary
  folder unless it is set), emptied at start as prometheus-client requires.
- Bounds on what one client may hold of the server (below).
- The socket is bound by the caller (`whmcs_bridge.listen`), before anything else starts.

Bounds on what one client may hold of the server.

uvicorn's httptools protocol (the one `uvicorn[standard]` uses) accepts request headers of any
size and waits for them for ever: a client could send megabytes of headers, or open connections
and trickle a byte now and then (slowloris). `BoundedHttpToolsProtocol` closes a connection
whose request line and headers pass `h11_max_incomplete_event_size` bytes (431), or do not
arrive within `header_timeout_s` of the connection or of the request's first byte (408).
The rest are uvicorn's own options, set from HttpLimits: keep-alive timeout, a cap on
connections and requests at once (503 past it). The whole body must arrive within its own
timeout too: the GraphQL gate enforces that (HTTP_BODY_TIMEOUT, 408).

With uvicorn's own command line, use the same protocol and limits:

    uvicorn --factory whmcs_bridge.app:app_from_env \\
        --http whmcs_bridge.server:BoundedHttpToolsProtocol \\
        --h11-max-incomplete-event-size 16384 --timeout-keep-alive 5 --limit-concurrency 1000
"""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

from whmcs_bridge.settings import HttpLimits, Settings

APP_FACTORY = "whmcs_bridge.app:app_from_env"


def uvicorn_options(
    settings: Settings, *, host: str, port: int, workers: int = 1
) -> dict[str, Any]:
    return {
        **limit_options(settings.http, workers=workers),  # header size and time, keep-alive
        "host": host,
        "port": port,
        "log_config": None,  # ours (whmcs_bridge.logs)
        "access_log": False,  # ours too, with the request's context
        "server_header": False,
        "root_path": settings.root_path,
        "proxy_headers": True,
        "forwarded_allow_ips": list(settings.forwarded_allow_ips),
        "timeout_graceful_shutdown": math.ceil(settings.shutdown_grace_s),
    }


def serve(settings: Settings, app: Starlette, *, sock: socket.socket, workers: int) -> None:
    """Serve on `sock` (bound already) until stopped; `settings.host`/`port` name it in logs."""
    options = uvicorn_options(settings, host=settings.host, port=settings.port, workers=workers)
    if workers == 1 and settings.metrics_dir is None:
        uvicorn.Server(uvicorn.Config(app, **options)).run(sockets=[sock])
        return
    with metrics_folder(settings.metrics_dir):
        # Each worker builds its own app from the same environment and .env (what uvicorn.run
        # does with workers, on the socket bound already).
        config = uvicorn.Config(APP_FACTORY, factory=True, workers=workers, **options)
        server = uvicorn.Server(config)
        if workers == 1:
            server.run(sockets=[sock])
        else:
            Multiprocess(config, sockets=[sock]).run()


@contextmanager
def metrics_folder(configured: Path | None) -> Iterator[Path]:
    """PROMETHEUS_MULTIPROC_DIR for the workers: emptied of an earlier run's files."""
    folder = configured or Path(tempfile.mkdtemp(prefix="whmcs-bridge-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    try:
        yield folder
    finally:
        if configured is None:
            shutil.rmtree(folder, ignore_errors=True)


_DEFAULTS = HttpLimits()


class _HeadTooLargeError(Exception):
    """Raised from a parser callback: httptools stops parsing, uvicorn answers (we say 431)."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    header_timeout_s: float = _DEFAULTS.header_timeout_s

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        configured = self.config.h11_max_incomplete_event_size
        self._max_head = configured or _DEFAULTS.max_header_bytes
        self._in_head = False  # between a request's first byte and the end of its headers
        self._parsed = 0  # bytes of request line and headers the parser handed over
        self._received = 0  # bytes received while the head was still incomplete
        self._too_large = False
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a request line is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # httptools keeps a header's text until it is complete: count what arrives meanwhile.
        if self._in_head and not self.transport.is_closing():
            self._received += len(data)
            if self._received > self._max_head:
                self._refuse(b"431 Request Header Fields Too Large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._parsed, self._received = True, 0, 0
        self._arm()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._count(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._count(len(name) + len(value) + 4)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        if self._too_large:  # the parser stopped because a callback said so: not a bad request
            self._refuse(b"431 Request Header Fields Too Large")
            return
        super().send_400_response(msg)

    def _count(self, size: int) -> None:
        self._parsed += size
        if self._parsed > self._max_head:
            self._too_large = True
            raise _HeadTooLargeError

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_timeout_s, self._timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self._refuse(b"408 Request Timeout")

    def _refuse(self, status: bytes) -> None:
        self._in_head = False
        self._disarm()
        self.transport.write(
            b"HTTP/1.1 " + status + b"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        )
        self.transport.close()


def bounded_protocol(limits: HttpLimits) -> type[BoundedHttpToolsProtocol]:
    """The protocol class with `limits`' header timeout."""
    return type(
        "BoundedHttpToolsProtocol",
        (BoundedHttpToolsProtocol,),
        {"header_timeout_s": limits.header_timeout_s},
    )


def limit_options(limits: HttpLimits, *, workers: int = 1) -> dict[str, Any]:
    """The keyword arguments of `uvicorn.run` that bound one client's share of the server.

    Several workers get the protocol by its import path (each worker imports it; a class made
    here could not be handed to them), so there the header timeout is HttpLimits' default.
    """
    protocol: Any = (
        bounded_protocol(limits) if workers == 1 else f"{__name__}:BoundedHttpToolsProtocol"
    )
    return {
        "http": protocol,
        "h11_max_incomplete_event_size": limits.max_header_bytes,
        "timeout_keep_alive": limits.keep_alive_s,
        "limit_concurrency": limits.max_concurrency,
    }
