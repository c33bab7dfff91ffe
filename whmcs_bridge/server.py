"""`whmcs-bridge serve`: uvicorn as production runs it.

- Behind a proxy: `ROOT_PATH` (the path prefix the proxy serves this under, which it strips),
  proxy headers trusted from `FORWARDED_ALLOW_IPS` only.
- Shutdown bounded by Settings.shutdown_grace_s (see whmcs_bridge.shutdown).
- `WORKERS` > 1 (or `--workers`): that many processes on one socket; prometheus-client's
  multiprocess mode adds their metrics up, in PROMETHEUS_MULTIPROC_DIR (a fresh temporary
  folder unless it is set), emptied at start as prometheus-client requires.
- The socket is bound by the caller (`whmcs_bridge.listen`), before anything else starts.
"""

from __future__ import annotations

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
from uvicorn.supervisors import Multiprocess

from whmcs_bridge.settings import Settings

APP_FACTORY = "whmcs_bridge.app:app_from_env"


def uvicorn_options(settings: Settings, *, host: str, port: int) -> dict[str, Any]:
    return {
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
    options = uvicorn_options(settings, host=settings.host, port=settings.port)
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
