"""Every query of the API."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from graphql import GraphQLError

import models
from graph import inputs
from graph.context import Info
from graph.enums import EntityType
from graph.errors import to_member
from graph.inputs import (
    MAX_CORRELATION_ID,
    days_bound,
    local_id,
    page_bounds,
    parse_id,
    search_text,
    text_bound,
    unset_to_none,
    whmcs_id,
)
from graph.types.audit import EntityTypeCount, SyncLog, SyncLogFilter, SyncLogPage, SyncStats
from graph.types.client import Client, ClientPage, SyncState, WhmcsClient, WhmcsClientPage
from graph.types.connection import CircuitBreakerStatus, ConnectionTest
from graph.types.errors import NotFoundError, WhmcsError
from integrations.whmcs.sync import local, reports
from integrations.whmcs.sync.errors import InvalidInput, SyncError, WhmcsUnusable
from integrations.whmcs.sync.store import LocalId, LocalStore

SyncStatusResult = Annotated[SyncState | NotFoundError, strawberry.union("SyncStatusResult")]
WhmcsClientsResult = Annotated[WhmcsClientPage | WhmcsError, strawberry.union("WhmcsClientsResult")]
WhmcsClientResult = Annotated[
    WhmcsClient | NotFoundError | WhmcsError, strawberry.union("WhmcsClientResult")
]


async def failure(info: Info, audit_op: models.SyncOperation | None, error: SyncError) -> Any:
    """The union member for an expected failure; audited when `audit_op` names an operation."""
    if audit_op is not None:
        await info.context.audit(audit_op).failed(error.message)
    return to_member(error)


@strawberry.type
class Query:
    @strawberry.field(description="Calls WHMCS (WhmcsDetails) and classifies any failure.")
    async def connection_test(self, info: Info) -> ConnectionTest:
        report = await info.context.bridge.connection_test(
            info.context.audit(models.SyncOperation.TEST)
        )
        return ConnectionTest.from_report(report)

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

    @strawberry.field(
        description=(
            "search: WHMCS's own prefix search on name, company or e-mail, at most 254 "
            "characters. limit: 1 to 100."
        )
    )
    async def whmcs_clients(
        self, info: Info, offset: int = 0, limit: int = 25, search: str | None = strawberry.UNSET
    ) -> WhmcsClientsResult:
        page_bounds(offset, limit)
        text = search_text(search)
        audit = info.context.audit(models.SyncOperation.LIST)
        try:
            page = await info.context.bridge.whmcs_clients(
                audit, offset=offset, limit=limit, search=text
            )
        except WhmcsUnusable as exc:
            return to_member(exc)  # the failed call is in the audit log already
        return WhmcsClientPage(
            items=[WhmcsClient.from_record(r) for r in page.items],
            total=page.total,
            offset=offset,
            limit=limit,
        )

    @strawberry.field
    async def whmcs_client(self, info: Info, id: strawberry.ID) -> WhmcsClientResult:
        audit = info.context.audit(models.SyncOperation.FETCH)
        try:
            key = whmcs_id(id)
            audit.about(whmcs_id=key)
            record = await info.context.bridge.pulls(audit).cached_client(key)
        except SyncError as exc:
            return to_member(exc)
        return WhmcsClient.from_record(record)

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
    ) -> SyncLogPage:
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
        if not _storable(query.correlation_id):  # so matches nothing
            return SyncLogPage(items=[], total=0, offset=offset, limit=limit)
        page = await reports.sync_logs(query, offset=offset, limit=limit, after=cursor)
        return SyncLogPage(
            items=[SyncLog.from_model(r) for r in page.items],
            total=page.total,
            offset=offset,
            limit=limit,
        )

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

    @strawberry.field(
        description=(
            "Local clients. search: case-insensitive on name, company or e-mail, at most 254 "
            "characters. limit: 1 to 100."
        )
    )
    async def clients(
        self, info: Info, offset: int = 0, limit: int = 25, search: str | None = strawberry.UNSET
    ) -> ClientPage:
        page_bounds(offset, limit)
        text = search_text(search)
        if not _storable(text):  # so matches nothing
            return ClientPage(items=[], total=0, offset=offset, limit=limit)
        page = await local.list_clients(
            offset=offset, limit=limit, search=text, store=info.context.bridge.store
        )
        return ClientPage(
            items=[Client.from_model(c) for c in page.items],
            total=page.total,
            offset=offset,
            limit=limit,
        )

    @strawberry.field
    async def client(self, info: Info, id: strawberry.ID) -> Client | None:
        try:
            key = local_id(id, store=info.context.bridge.store)
        except SyncError:
            return None
        row = await info.context.loaders.client_by_id.load(key)
        return Client.from_model(row) if row is not None else None


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
    text = (inputs.text_bound(None, str(value), inputs.MAX_ID_LENGTH) or "").strip()
    try:
        return store.parse_id(text)
    except InvalidInput:
        return -1


def _storable(text: str | None) -> bool:
    """Whether a column could hold ``text``: none holds NUL (PostgreSQL refuses it in a query,
    an internal error)."""
    return text is None or "\x00" not in text
