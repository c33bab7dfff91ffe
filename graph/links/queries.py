"""syncStatus: the link of any entity type's local record, from the sync map only."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph import inputs
from graph.context import Info
from graph.enums import EntityType
from graph.errors import failure
from graph.links.types import SyncState
from graph.types.errors import NotFoundError
from integrations.whmcs.sync import reports
from integrations.whmcs.sync.errors import SyncError

SyncStatusResult = Annotated[SyncState | NotFoundError, strawberry.union("SyncStatusResult")]


@strawberry.type
class SyncStatusQuery:
    @strawberry.field
    async def sync_status(
        self, info: Info, *, entity_type: EntityType = EntityType.CLIENT, local_id: strawberry.ID
    ) -> SyncStatusResult:
        try:
            key = inputs.local_id(local_id, entity_type, store=info.context.bridge.store)
            link = await reports.sync_state(entity_type, key, store=info.context.bridge.store)
        except SyncError as exc:
            return await failure(info, None, exc)
        return SyncState.build(entity_type, key, link)
