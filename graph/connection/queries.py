"""connectionTest: one WhmcsDetails call, every failure classified."""

from __future__ import annotations

import strawberry

import models
from graph.connection.types import ConnectionTest
from graph.context import Info


@strawberry.type
class ConnectionQuery:
    @strawberry.field(description="Calls WHMCS (WhmcsDetails) and classifies any failure.")
    async def connection_test(self, info: Info) -> ConnectionTest:
        report = await info.context.bridge.connection_test(
            info.context.audit(models.SyncOperation.TEST)
        )
        return ConnectionTest.from_report(report)
