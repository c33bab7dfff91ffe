"""Graceful shutdown: on SIGTERM (or SIGINT) no new WHMCS call starts; the ones sent finish.

uvicorn, on the signal, stops accepting connections, waits up to its `timeout_graceful_shutdown`
for the requests in flight, then runs the app's shutdown. Those requests may still be about to
call WHMCS (a push looks the e-mail up, then creates the client); each call takes up to
WHMCS_API_TIMEOUT, so the wait would have no useful bound. So the app hooks the signal too: from
that moment every call not yet sent fails at once (WhmcsShuttingDownError: nothing sent, the
record's claim released with that reason, the client told to retry), and only calls already on
the wire are waited for. `serve` sets uvicorn's timeout to WHMCS_API_TIMEOUT plus a margin for
the database writes that settle them (Settings.shutdown_grace_s).

The hook chains to the handler the server installed (uvicorn's, in every worker), so it works the
same under `whmcs-bridge serve`, `serve --workers N` and `uvicorn --factory`. Where no server
handles the signal (tests driving the app in-process), nothing is installed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

logger = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


Handler = Callable[[int, FrameType | None], Any]


@contextmanager
def drain_on_stop_signals(stop_new_calls: Callable[[], None]) -> Iterator[None]:
    """While inside: SIGTERM/SIGINT first call `stop_new_calls` (it must only set a flag: it
    runs in the signal handler), then the server's own handler."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    installed: dict[signal.Signals, tuple[Handler, Handler]] = {}
    for sig in STOP_SIGNALS:
        previous = signal.getsignal(sig)
        if not callable(previous):  # SIG_DFL / SIG_IGN: no server is handling it
            continue
        chained = _chain(previous, stop_new_calls, loop)
        signal.signal(sig, chained)
        installed[sig] = (chained, previous)
    try:
        yield
    finally:
        for sig, (chained, previous) in installed.items():
            if signal.getsignal(sig) is chained:
                signal.signal(sig, previous)


def _chain(
    previous: Handler, stop_new_calls: Callable[[], None], loop: asyncio.AbstractEventLoop
) -> Handler:
    def chained(signum: int, frame: FrameType | None) -> None:
        stop_new_calls()
        loop.call_soon_threadsafe(
            logger.info,
            "Stopping (%s): WHMCS calls in flight finish, no new one is sent",
            signal.Signals(signum).name,
        )
        previous(signum, frame)

    return chained
