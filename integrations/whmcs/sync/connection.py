"""The connection test: call WhmcsDetails and explain any failure in one sentence.

It always calls WHMCS, once, whatever the circuit breaker says (a user runs it to see whether
WHMCS is back), and reports what it found; the breaker's state after the call comes with it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from integrations.whmcs.breaker import BreakerStatus
from integrations.whmcs.client import WhmcsClient
from integrations.whmcs.errors import FailureKind, WhmcsError
from integrations.whmcs.sync.audit import Audit

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    success: bool
    message: str
    version: str | None = None
    response_time_ms: int | None = None
    failure: FailureKind | None = None
    hint: str | None = None
    sandbox: bool = False
    breaker: BreakerStatus | None = None  # None: no WHMCS configured, or switched off


SANDBOX_NOTE = (
    " This is the built-in WHMCS sandbox, not a real WHMCS: set WHMCS_API_URL, "
    "WHMCS_API_IDENTIFIER and WHMCS_API_SECRET to use yours."
)


async def test_connection(
    whmcs: WhmcsClient | None, *, audit: Audit, enabled: bool, sandbox: bool
) -> ConnectionReport:
    if not enabled:
        return ConnectionReport(
            False,
            "The WHMCS integration is switched off.",
            failure=FailureKind.DISABLED,
            hint="Set WHMCS_ENABLED=true and restart to use WHMCS.",
        )
    if whmcs is None:
        return ConnectionReport(
            False,
            "No WHMCS is configured.",
            failure=FailureKind.NOT_CONFIGURED,
            hint="Set WHMCS_API_URL, WHMCS_API_IDENTIFIER and WHMCS_API_SECRET (see .env.example).",
        )
    started = time.perf_counter()
    try:
        details = await whmcs.with_observer(audit.observe).details(diagnostic=True)
    except WhmcsError as exc:
        elapsed_ms = _ms(started)
        # A call that failed is its own ERROR row; an answer that came but cannot be read (its
        # row says SUCCESS) gets one saying why: a failed test is never recorded as a success.
        await audit.failed(exc.message)
        logger.warning("Connection test failed (%s): %s", exc.kind.value, exc.message)
        return ConnectionReport(
            False,
            f"Connection failed: {exc.message}",
            response_time_ms=elapsed_ms,
            failure=exc.kind,
            hint=exc.hint,
            sandbox=sandbox,
            breaker=whmcs.breaker.status(),
        )
    note = SANDBOX_NOTE if sandbox else ""
    return ConnectionReport(
        True,
        f"Connected to WHMCS {details.version}.{note}",
        version=details.version,
        response_time_ms=_ms(started),
        sandbox=sandbox,
        breaker=whmcs.breaker.status(),
    )


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
