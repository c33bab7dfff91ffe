"""The connection test's answer."""

from __future__ import annotations

from typing import Self

import strawberry

from graph.enums import ConnectionFailure
from integrations.whmcs.errors import FailureKind
from integrations.whmcs.sync.connection import ConnectionReport

#: Every FailureKind has its ConnectionFailure (a test checks that none is missing).
FAILURES: dict[FailureKind, ConnectionFailure] = {
    kind: ConnectionFailure[kind.name] for kind in FailureKind
}


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
        )
