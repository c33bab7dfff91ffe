"""The client queries: WHMCS clients (whmcsClients, whmcsClient) and local ones (clients,
client). Two classes, so the schema keeps its field order (graph/modules.py)."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from graph.clients.types import Client, WhmcsClient
from graph.context import Info
from graph.errors import to_member
from graph.inputs import local_id, page_bounds, search_text, storable, whmcs_id
from graph.types.errors import NotFoundError, WhmcsError
from graph.types.page import Page, empty_page, page_of
from integrations.whmcs.sync import local
from integrations.whmcs.sync.errors import SyncError, WhmcsUnusable

WhmcsClientsResult = Annotated[
    Page[WhmcsClient] | WhmcsError, strawberry.union("WhmcsClientsResult")
]
WhmcsClientResult = Annotated[
    WhmcsClient | NotFoundError | WhmcsError, strawberry.union("WhmcsClientResult")
]


@strawberry.type
class WhmcsClientQuery:
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
        return page_of(
            WhmcsClient,
            page.items,
            WhmcsClient.from_record,
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


@strawberry.type
class LocalClientQuery:
    @strawberry.field(
        description=(
            "Local clients. search: case-insensitive on name, company or e-mail, at most 254 "
            "characters. limit: 1 to 100."
        )
    )
    async def clients(
        self, info: Info, offset: int = 0, limit: int = 25, search: str | None = strawberry.UNSET
    ) -> Page[Client]:
        page_bounds(offset, limit)
        text = search_text(search)
        if not storable(text):  # so matches nothing
            return empty_page(Client, offset=offset, limit=limit)
        page = await local.list_clients(
            offset=offset, limit=limit, search=text, store=info.context.bridge.store
        )
        return page_of(
            Client, page.items, Client.from_model, total=page.total, offset=offset, limit=limit
        )

    @strawberry.field
    async def client(self, info: Info, id: strawberry.ID) -> Client | None:
        try:
            key = local_id(id, store=info.context.bridge.store)
        except SyncError:
            return None
        row = await info.context.loaders.client_by_id.load(key)
        return Client.from_model(row) if row is not None else None
