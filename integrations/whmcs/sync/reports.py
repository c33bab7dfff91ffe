"""Read-only views of the local side: sync state, the audit log, statistics."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from tortoise.functions import Count

import models
from integrations.whmcs.sync.claims import utcnow
from integrations.whmcs.sync.errors import RecordNotFound
from integrations.whmcs.sync.local import Page


@dataclass(frozen=True, slots=True)
class LogQuery:
    entity_type: models.EntityType | None = None
    status: models.LogStatus | None = None
    operation: models.SyncOperation | None = None
    local_id: int | None = None
    whmcs_id: int | None = None
    days: int | None = None
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class Stats:
    synced: int
    pending: int
    errors: int
    stale_pending: int
    by_entity_type: dict[models.EntityType, int]


async def sync_state(entity_type: models.EntityType, local_id: int) -> models.SyncMap | None:
    """The link of a local record (None: not linked). Raises when the record does not exist."""
    if entity_type is models.EntityType.CLIENT and not await models.Client.exists(id=local_id):
        raise RecordNotFound(entity_type, local_id, "LOCAL")
    return await models.SyncMap.get_or_none(entity_type=entity_type, local_id=local_id)


async def sync_logs(
    query: LogQuery,
    *,
    offset: int,
    limit: int,
    clock: Callable[[], datetime.datetime] = utcnow,
) -> Page[models.SyncLog]:
    filters: dict[str, object] = {}
    for name in ("entity_type", "status", "operation", "local_id", "whmcs_id", "correlation_id"):
        value = getattr(query, name)
        if value is not None:
            filters[name] = value
    if query.days is not None:
        filters["created_at__gte"] = clock() - datetime.timedelta(days=query.days)
    rows = models.SyncLog.filter(**filters)
    total = await rows.count()
    items = await rows.order_by("-id").offset(offset).limit(limit)
    return Page(list(items), total, offset, limit)


async def stats(*, clock: Callable[[], datetime.datetime] = utcnow) -> Stats:
    counts = (
        await models.SyncMap.annotate(n=Count("id"))
        .group_by("entity_type", "status")
        .values_list("entity_type", "status", "n")
    )
    by_status = {s: 0 for s in models.SyncStatus}
    by_entity: dict[models.EntityType, int] = {e: 0 for e in models.EntityType}
    for entity_type, status, n in counts:
        by_status[models.SyncStatus(status)] += n
        by_entity[models.EntityType(entity_type)] += n
    stale = (
        await models.SyncMap.filter(
            status=models.SyncStatus.PENDING, lease_expires_at__isnull=True
        ).count()
        + await models.SyncMap.filter(
            status=models.SyncStatus.PENDING, lease_expires_at__lt=clock()
        ).count()
    )
    return Stats(
        synced=by_status[models.SyncStatus.SYNCED],
        pending=by_status[models.SyncStatus.PENDING],
        errors=by_status[models.SyncStatus.ERROR],
        stale_pending=stale,
        by_entity_type=by_entity,
    )
