"""The connection test's answer, and the circuit breaker's state (also shown by stats)."""

from __future__ import annotations

from enum import Enum
from typing import Self

import strawberry

from graph.enums import ConnectionFailure
from integrations.whmcs.breaker import BreakerStatus
from integrations.whmcs.errors import FailureKind
from integrations.whmcs.sync.connection import ConnectionReport

#: Every FailureKind has its ConnectionFailure (a test checks that none is missing).
FAILURES: dict[FailureKind, ConnectionFailure] = {
    kind: ConnectionFailure[kind.name] for kind in FailureKind
}


@strawberry.enum(description="The circuit breaker's state.")
class CircuitState(Enum):
    CLOSED = strawberry.enum_value("CLOSED", description="Calls go to WHMCS.")
    OPEN = strawberry.enum_value(
        "OPEN",
        description=(
            "WHMCS failed too often in a row: calls fail at once (WHMCS_UNAVAILABLE, nothing "
            "sent) until retryAfterSeconds pass. connectionTest still calls WHMCS."
        ),
    )
    HALF_OPEN = strawberry.enum_value(
        "HALF_OPEN",
        description="The cooldown is over: the next call is a probe; its success closes it.",
    )


@strawberry.type(
    description=(
        "The circuit breaker in front of WHMCS, as this server process sees it (each instance "
        "keeps its own)."
    )
)
class CircuitBreakerStatus:
    state: CircuitState
    failures: int = strawberry.field(
        description=(
            "Transport failures in a row (timeouts, refused connections, 5xx pages); any answer "
            "from WHMCS, even a refusal, resets it."
        )
    )
    threshold: int = strawberry.field(
        description="Failures in a row that open the circuit (WHMCS_BREAKER_THRESHOLD)."
    )
    cooldown_seconds: float = strawberry.field(
        description="How long it stays open before a probe (WHMCS_BREAKER_COOLDOWN)."
    )
    retry_after_seconds: int | None = strawberry.field(
        description="OPEN: seconds until the next call may go. Null otherwise."
    )

    @classmethod
    def from_status(cls, status: BreakerStatus | None) -> Self | None:
        if status is None:
            return None
        wait = status.retry_after_s
        return cls(
            state=CircuitState[status.state.name],
            failures=status.failures,
            threshold=status.threshold,
            cooldown_seconds=status.cooldown_s,
            retry_after_seconds=None if wait is None else max(1, round(wait)),
        )


@strawberry.type
class ConnectionTest:
    success: bool
    message: str
    whmcs_version: str | None
    response_time_ms: int | None
    failure: ConnectionFailure | None = strawberry.field(description="Null on success.")
    hint: str | None = strawberry.field(description="Null on success.")
    sandbox: bool = strawberry.field(
        default=False,
        description="True when the built-in WHMCS sandbox answered, not a real WHMCS.",
    )
    circuit_breaker: CircuitBreakerStatus | None = strawberry.field(
        default=None,
        description=(
            "The circuit breaker after this test (its success closes it). Null when no WHMCS is "
            "used (not configured or switched off)."
        ),
    )

    @classmethod
    def from_report(cls, report: ConnectionReport) -> Self:
        return cls(
            success=report.success,
            message=report.message,
            whmcs_version=report.version,
            response_time_ms=report.response_time_ms,
            failure=FAILURES[report.failure] if report.failure else None,
            hint=report.hint,
            sandbox=report.sandbox,
            circuit_breaker=CircuitBreakerStatus.from_status(report.breaker),
        )
