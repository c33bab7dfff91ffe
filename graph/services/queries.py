"""whmcsServices: a WHMCS client's services."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from graph.context import Info
from graph.errors import to_member
from graph.services.types import WhmcsService
from graph.types.errors import NotFoundError, WhmcsError
from graph.types.page import Page, page_of
from graph.whmcs_reads import ModuleRead, page_args, read_module
from integrations.whmcs import entities as e
from integrations.whmcs.sync.errors import SyncError

WhmcsServicesResult = Annotated[
    Page[WhmcsService] | NotFoundError | WhmcsError, strawberry.union("WhmcsServicesResult")
]


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "The WHMCS client's services. NotFoundError (side WHMCS, entityType CLIENT) when "
            "there is no such WHMCS client."
        )
    )
    async def whmcs_services(
        self, info: Info, whmcs_client_id: strawberry.ID, offset: int = 0, limit: int = 25
    ) -> WhmcsServicesResult:
        try:
            args = page_args(whmcs_client_id, offset, limit)
            read = ModuleRead(
                entity_type=models.EntityType.SERVICE,
                operation=models.SyncOperation.LIST,
                key=args.key,
                owner=args.client_id,
                record_type=e.WhmcsPage[e.WhmcsService],
            )
            page = await read_module(
                info,
                read,
                lambda whmcs: whmcs.services.list(args.client_id, offset=offset, limit=limit),
            )
        except SyncError as exc:
            return to_member(exc)
        return page_of(
            WhmcsService,
            page.items,
            WhmcsService.from_record,
            total=page.total,
            offset=offset,
            limit=limit,
        )
