"""unlink: removes the link of any entity type's local record; nothing else is deleted."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from graph import inputs
from graph.context import Info
from graph.enums import EntityType
from graph.errors import to_member
from graph.links.types import UnlinkSuccess
from graph.types.errors import NotFoundError, NotLinkedError, SyncInProgressError
from graph.types.ids import as_id
from integrations.whmcs.sync.errors import SyncError

# It takes the record's claim, so it can meet another operation holding it.
UnlinkResult = Annotated[
    UnlinkSuccess | NotLinkedError | NotFoundError | SyncInProgressError,
    strawberry.union("UnlinkResult"),
]


@strawberry.type
class UnlinkMutation:
    @strawberry.mutation(
        description="Removes the link only; nothing is deleted in WHMCS or locally."
    )
    async def unlink(
        self, info: Info, *, entity_type: EntityType = EntityType.CLIENT, local_id: strawberry.ID
    ) -> UnlinkResult:
        audit = info.context.audit(models.SyncOperation.UNLINK)
        try:
            key = inputs.local_id(local_id, entity_type, store=info.context.bridge.store)
            result = await info.context.bridge.pulls(audit).unlink(entity_type, key)
        except SyncError as exc:
            await audit.failed(exc.message)
            return to_member(exc)
        return UnlinkSuccess(
            entity_type=entity_type,
            local_id=as_id(result.local_id),
            whmcs_id=as_id(result.whmcs_id),
        )
