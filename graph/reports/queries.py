"""syncLogs (the audit log, filtered and paged) and stats (the sync map's numbers)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError

from graph.connection.types import CircuitBreakerStatus
from graph.context import Info
from graph.inputs import (
    MAX_CORRELATION_ID,
    MAX_ID_LENGTH,
    days_bound,
    page_bounds,
    parse_id,
    storable,
    text_bound,
    unset_to_none,
)
from graph.reports.types import EntityTypeCount, SyncLog, SyncLogFilter, SyncStats
from graph.types.page import Page, empty_page, page_of
from integrations.whmcs.sync import reports
from integrations.whmcs.sync.errors import InvalidInput
from integrations.whmcs.sync.store import LocalId, LocalStore


@strawberry.type
class SyncLogQuery:
    @strawberry.field(description="limit: 1 to 100. Newest first.")
    async def sync_logs(
        self,
        info: Info,
        filter: SyncLogFilter | None = strawberry.UNSET,
        offset: int = 0,
        limit: int = 50,
        after: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description=(
                    "Only entries older than this one: pass the last id of the previous page. "
                    "Deep pages cost the same as the first (offset counts from here)."
                )
            ),
        ] = strawberry.UNSET,
    ) -> Page[SyncLog]:
        page_bounds(offset, limit)
        cursor = _cursor(unset_to_none(after))
        query = reports.LogQuery()
        if filter is not None and filter is not strawberry.UNSET:
            query = reports.LogQuery(
                entity_type=unset_to_none(filter.entity_type),
                status=unset_to_none(filter.status),
                operation=unset_to_none(filter.operation),
                local_id=_opt_local(
                    unset_to_none(filter.local_id), info.context.bridge.local_clients
                ),
                whmcs_id=_opt_int(unset_to_none(filter.whmcs_id)),
                days=days_bound(unset_to_none(filter.days)),
                correlation_id=text_bound(
                    "filter.correlationId",
                    unset_to_none(filter.correlation_id),
                    MAX_CORRELATION_ID,
                ),
            )
        if not storable(query.correlation_id):  # so matches nothing
            return empty_page(SyncLog, offset=offset, limit=limit)
        page = await reports.sync_logs(query, offset=offset, limit=limit, after=cursor)
        return page_of(
            SyncLog, page.items, SyncLog.from_model, total=page.total, offset=offset, limit=limit
        )


@strawberry.type
class StatsQuery:
    @strawberry.field
    async def stats(self, info: Info) -> SyncStats:
        numbers = await reports.stats()
        cache = await info.context.bridge.cache.counts()
        return SyncStats(
            total_synced=numbers.synced,
            total_pending=numbers.pending,
            total_errors=numbers.errors,
            by_entity_type=[
                EntityTypeCount(entity_type=e, count=n) for e, n in numbers.by_entity_type.items()
            ],
            cache_hits=cache.hits,
            cache_misses=cache.misses,
            stale_pending=numbers.stale_pending,
            circuit_breaker=CircuitBreakerStatus.from_status(info.context.bridge.breaker_status()),
        )


def _cursor(value: object) -> int | None:
    """A log id to page after (BigInt ids: up to 2**63 - 1)."""
    if value is None:
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) >= 2**63:
        raise GraphQLError(
            f"after must be a log entry id, got {str(value)[:40]!r}.",
            extensions={"code": "BAD_USER_INPUT"},
        )
    return int(text)


def _opt_int(value: object) -> int | None:
    if value is None:
        return None
    parsed = parse_id(value)  # "²", or a number past the id column's range, matches nothing
    return -1 if parsed is None else parsed


def _opt_local(value: object, store: LocalStore) -> LocalId | None:
    """A local id to filter by, as the local store spells it; one that cannot be an id matches
    nothing (-1: no store hands it out)."""
    if value is None:
        return None
    text = (text_bound(None, str(value), MAX_ID_LENGTH) or "").strip()
    try:
        return store.parse_id(text)
    except InvalidInput:
        return -1
