"""The sync state of one local record: its link to a WHMCS record, read from the sync map."""

from __future__ import annotations

import datetime
from typing import Self

import strawberry

import models
from graph.enums import EntityType, SyncDirection, SyncStatus
from graph.types.ids import as_id, as_opt_id
from integrations.whmcs.sync.store import LocalId


@strawberry.type
class SyncState:
    entity_type: EntityType
    local_id: strawberry.ID
    synced: bool
    whmcs_id: strawberry.ID | None
    status: SyncStatus | None = strawberry.field(description="Null when there is no link.")
    last_synced_at: datetime.datetime | None
    last_direction: SyncDirection | None
    last_error: str | None
    pending_reason: str | None = strawberry.field(
        default=None,
        description=(
            "Why the link is PENDING: an operation in flight, or one whose outcome is unknown."
        ),
    )

    @classmethod
    def build(
        cls, entity_type: models.EntityType, local_id: LocalId, link: models.SyncMap | None
    ) -> Self:
        if link is None:
            return cls(
                entity_type=entity_type,
                local_id=as_id(local_id),
                synced=False,
                whmcs_id=None,
                status=None,
                last_synced_at=None,
                last_direction=None,
                last_error=None,
            )
        return cls(
            entity_type=link.entity_type,
            local_id=as_id(local_id),
            synced=link.status == models.SyncStatus.SYNCED and link.whmcs_id is not None,
            whmcs_id=as_opt_id(link.whmcs_id),
            status=link.status,
            last_synced_at=link.last_synced_at,
            last_direction=link.last_direction,
            last_error=link.last_error if link.status != models.SyncStatus.PENDING else None,
            pending_reason=link.last_error if link.status == models.SyncStatus.PENDING else None,
        )


@strawberry.type
class UnlinkSuccess:
    entity_type: EntityType
    local_id: strawberry.ID
    whmcs_id: strawberry.ID
