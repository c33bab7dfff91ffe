"""whmcsOrders: a WHMCS client's orders, newest first."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from graph.context import Info
from graph.errors import to_member
from graph.orders.types import WhmcsOrder
from graph.types.errors import NotFoundError, WhmcsError
from graph.types.page import Page, page_of
from graph.whmcs_reads import ModuleRead, page_args, read_module
from integrations.whmcs import entities as e
from integrations.whmcs.sync.errors import SyncError

WhmcsOrdersResult = Annotated[
    Page[WhmcsOrder] | NotFoundError | WhmcsError, strawberry.union("WhmcsOrdersResult")
]


@strawberry.type
class Query:
    @strawberry.field(description="Newest first. status: an order status (e.g. Pending, Active).")
    async def whmcs_orders(
        self,
        info: Info,
        whmcs_client_id: strawberry.ID,
        status: str | None = strawberry.UNSET,
        offset: int = 0,
        limit: int = 25,
    ) -> WhmcsOrdersResult:
        try:
            args = page_args(whmcs_client_id, offset, limit, status)
            read = ModuleRead(
                entity_type=models.EntityType.ORDER,
                operation=models.SyncOperation.LIST,
                key=args.key,
                owner=args.client_id,
                record_type=e.WhmcsPage[e.WhmcsOrder],
            )
            page = await read_module(
                info,
                read,
                lambda whmcs: whmcs.orders.list(
                    args.client_id, status=args.status, offset=offset, limit=limit
                ),
            )
        except SyncError as exc:
            return to_member(exc)
        return page_of(
            WhmcsOrder,
            page.items,
            WhmcsOrder.from_record,
            total=page.total,
            offset=offset,
            limit=limit,
        )
