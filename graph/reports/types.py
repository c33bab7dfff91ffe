"""The audit log, its filter, and the sync statistics."""

from __future__ import annotations

import datetime
from typing import Self, cast

import strawberry
from strawberry.scalars import JSON

import models
from graph.connection.types import CircuitBreakerStatus
from graph.enums import EntityType, LogStatus, SyncOperation


@strawberry.type
class SyncLog:
    id: strawberry.ID
    operation: SyncOperation
    status: LogStatus
    entity_type: EntityType | None
    local_id: strawberry.ID | None
    whmcs_id: strawberry.ID | None
    whmcs_action: str | None = strawberry.field(
        description="The WHMCS API action called, e.g. AddClient."
    )
    request_data: JSON | None = strawberry.field(
        description="Redacted: never holds credentials or passwords."
    )
    response_data: JSON | None = strawberry.field(
        description="Redacted: never holds credentials or passwords."
    )
    error_message: str | None
    duration_ms: int | None
    actor: str | None = strawberry.field(
        description="The API token's name that asked for the operation."
    )
    correlation_id: str = strawberry.field(
        description="Shared by every entry of one GraphQL operation."
    )
    created_at: datetime.datetime

    @classmethod
    def from_model(cls, row: models.SyncLog) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            operation=row.operation,
            status=row.status,
            entity_type=row.entity_type,
            local_id=None if row.local_id is None else strawberry.ID(str(row.local_id)),
            whmcs_id=None if row.whmcs_id is None else strawberry.ID(str(row.whmcs_id)),
            whmcs_action=row.whmcs_action,
            request_data=cast(JSON, row.request_data),
            response_data=cast(JSON, row.response_data),
            error_message=row.error_message,
            duration_ms=row.duration_ms,
            actor=row.actor,
            correlation_id=row.correlation_id,
            created_at=row.created_at,
        )


@strawberry.input
class SyncLogFilter:
    entity_type: EntityType | None = strawberry.UNSET
    status: LogStatus | None = strawberry.UNSET
    operation: SyncOperation | None = strawberry.UNSET
    local_id: strawberry.ID | None = strawberry.UNSET
    whmcs_id: strawberry.ID | None = strawberry.UNSET
    days: int | None = strawberry.field(
        default=strawberry.UNSET, description="Only entries from the last N days."
    )
    correlation_id: str | None = strawberry.UNSET


@strawberry.type
class EntityTypeCount:
    entity_type: EntityType
    count: int


@strawberry.type
class SyncStats:
    total_synced: int = strawberry.field(description="Links in SYNCED.")
    total_pending: int = strawberry.field(
        description="Links in PENDING: a write in flight, or one whose outcome is unknown."
    )
    total_errors: int = strawberry.field(
        description=(
            "Links in ERROR (see each one's syncStatus.lastError). Not log entries: failed "
            "calls and operations are counted by syncLogs(filter: {status: ERROR}).total."
        )
    )
    by_entity_type: list[EntityTypeCount]
    cache_hits: int = strawberry.field(description="WHMCS reads answered from the cache.")
    cache_misses: int = strawberry.field(description="WHMCS reads that had to call WHMCS.")
    stale_pending: int = strawberry.field(
        description="Links PENDING for longer than an operation may run: their outcome is unknown."
    )
    circuit_breaker: CircuitBreakerStatus | None = strawberry.field(
        default=None,
        description=(
            "This server process's circuit breaker in front of WHMCS. Null when no WHMCS is used."
        ),
    )
