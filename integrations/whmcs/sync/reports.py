"""Read-only views of the local side: sync state, the audit log, statistics."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

import models
from integrations.whmcs.sync.claims import utcnow
from integrations.whmcs.sync.errors import RecordNotFound
from integrations.whmcs.sync.registry import SYNC_ENTITIES, local_record_missing
from integrations.whmcs.sync.store import LocalId, LocalStore, Page
from models.counters import SYNC_LOGS_PREFIX, SYNC_MAP_PREFIX


@dataclass(frozen=True, slots=True)
class LogQuery:
    entity_type: models.EntityType | None = None
    status: models.LogStatus | None = None
    operation: models.SyncOperation | None = None
    local_id: LocalId | None = None
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


async def sync_state(
    entity_type: models.EntityType, local_id: LocalId, *, store: LocalStore | None = None
) -> models.SyncMap | None:
    """The link of a local record (None: not linked). Raises when the record does not exist."""
    if await local_record_missing(entity_type, local_id, store):
        raise RecordNotFound(entity_type, local_id, "LOCAL")
    return await models.SyncMap.get_or_none(entity_type=entity_type, local_id=local_id)


async def sync_logs(
    query: LogQuery,
    *,
    offset: int,
    limit: int,
    after: int | None = None,
    clock: Callable[[], datetime.datetime] = utcnow,
) -> Page[models.SyncLog]:
    """A page of the log, newest first. `after`: only entries older than that id (keyset paging:
    as fast on the millionth page as on the first, where `offset` walks every row it skips)."""
    filters: dict[str, object] = {}
    for name in ("entity_type", "status", "operation", "local_id", "whmcs_id", "correlation_id"):
        value = getattr(query, name)
        if value is not None:
            filters[name] = value
    if query.days is not None:
        filters["created_at__gte"] = clock() - datetime.timedelta(days=query.days)
    rows = models.SyncLog.filter(**filters)
    total = await _log_total(query, rows)
    page = rows.filter(id__lt=after) if after is not None else rows
    items = await page.order_by("-id").offset(offset).limit(limit)
    return Page(list(items), total, offset, limit)


async def _log_total(query: LogQuery, rows: QuerySet[models.SyncLog]) -> int:
    """How many entries the filter matches. Filters on operation, status and entity type only
    (or none) are answered from the trigger-kept counters; the others count their rows, through
    the index of the column they filter on."""
    if any(
        getattr(query, name) is not None
        for name in ("local_id", "whmcs_id", "days", "correlation_id")
    ):
        return await rows.count()
    total = 0
    for name, n in await _counters(SYNC_LOGS_PREFIX):
        operation, status, entity_type = name.split(":")
        if (
            (query.operation is None or operation == query.operation)
            and (query.status is None or status == query.status)
            and (query.entity_type is None or entity_type == query.entity_type)
        ):
            total += n
    return total


async def _counters(prefix: str) -> list[tuple[str, int]]:
    """(name without the prefix, count) of every counter of one table."""
    rows = await models.Counter.filter(name__startswith=prefix).values_list("name", "n")
    return [(str(name)[len(prefix) :], int(n)) for name, n in rows]


async def stats(*, clock: Callable[[], datetime.datetime] = utcnow) -> Stats:
    """Totals from the trigger-kept counters (a few rows, whatever the size of sync_map); only
    stale PENDING links are counted, through the (status, lease_expires_at) index."""
    by_status = {s: 0 for s in models.SyncStatus}
    # Entity types that hold links: those the registry lists always (clients), the others (the
    # read-only modules) only once they hold any.
    by_entity: dict[models.EntityType, int] = {
        t: 0 for t, e in SYNC_ENTITIES.items() if e.always_in_stats
    }
    for name, n in await _counters(SYNC_MAP_PREFIX):
        entity_type, status = name.split(":")
        by_status[models.SyncStatus(status)] += n
        key = models.EntityType(entity_type)
        by_entity[key] = by_entity.get(key, 0) + n
    stale = await models.SyncMap.filter(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=clock()),
        status=models.SyncStatus.PENDING,
    ).count()
    return Stats(
        synced=by_status[models.SyncStatus.SYNCED],
        pending=by_status[models.SyncStatus.PENDING],
        errors=by_status[models.SyncStatus.ERROR],
        stale_pending=stale,
        by_entity_type=by_entity,
    )
