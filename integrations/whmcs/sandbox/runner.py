"""Starting and stopping a sandbox: in-process for tests, blocking for the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path
from types import TracebackType
from typing import Self

from aiohttp import web

from .app import API_PATH, CONTROL_PATH, create_app
from .config import SandboxConfig
from .persist import StateFile
from .state import SandboxState

logger = logging.getLogger(__name__)

# In-flight answers (e.g. an injected delay) get this long to finish when stopping.
_SHUTDOWN_TIMEOUT_S = 2.0


class RunningSandbox:
    """A listening sandbox. ``url`` is the WHMCS base URL; ``api_url`` adds the path."""

    def __init__(
        self,
        *,
        url: str,
        config: SandboxConfig,
        state: SandboxState,
        runner: web.AppRunner,
        control: bool,
    ) -> None:
        self.url = url
        self.config = config
        self.state = state
        self.control = control
        self._runner = runner

    @property
    def api_url(self) -> str:
        return f"{self.url}{API_PATH}"

    @property
    def control_url(self) -> str | None:
        return f"{self.url}{CONTROL_PATH}" if self.control else None

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


async def start_sandbox(
    config: SandboxConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    control: bool = False,
    data_file: Path | None = None,
) -> RunningSandbox:
    """Listen on ``host:port`` (0 picks a free port) and return once connections work.

    With ``data_file`` the sandbox keeps its data there: loaded when it exists (else seeded and
    written), saved after every change. A file that cannot be read raises ``StateFileError``.
    """
    config = config or SandboxConfig()
    state = SandboxState(seed=config.seed, latency_ms=config.latency_ms)
    store = StateFile(data_file) if data_file is not None else None
    if store is not None and not store.load_into(state):
        store.save(state)
    runner = web.AppRunner(
        create_app(config, state=state, control=control, store=store),
        access_log=None,  # aiohttp's access log would print query strings, i.e. secrets
        shutdown_timeout=_SHUTDOWN_TIMEOUT_S,
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = runner.addresses[0][1]
    url_host = f"[{host}]" if ":" in host else host
    return RunningSandbox(
        url=f"http://{url_host}:{bound_port}",
        config=config,
        state=state,
        runner=runner,
        control=control,
    )


def serve_forever(
    port: int,
    host: str = "127.0.0.1",
    config: SandboxConfig | None = None,
    *,
    control: bool = False,
    data_file: Path | None = None,
) -> None:
    """Run until Ctrl-C or SIGTERM, logging the URL and the dev credentials to stderr."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(_serve(port, host, config or SandboxConfig(), control, data_file))


async def _serve(
    port: int, host: str, config: SandboxConfig, control: bool, data_file: Path | None
) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows
            loop.add_signal_handler(signum, stopping.set)
    async with await start_sandbox(
        config, host=host, port=port, control=control, data_file=data_file
    ) as sandbox:
        logger.info("WHMCS sandbox %s listening on %s", config.version, sandbox.api_url)
        logger.info(
            "Sandbox credentials: identifier=%s secret=%s", config.identifier, config.secret
        )
        if sandbox.control_url:
            logger.info("Sandbox control endpoint: %s", sandbox.control_url)
        if data_file is not None:
            logger.info("Sandbox data kept in %s", data_file)
        await stopping.wait()
        logger.info("WHMCS sandbox stopping")
