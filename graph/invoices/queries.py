"""whmcsInvoices (a WHMCS client's, newest first) and whmcsInvoice (one, with lines and
payments)."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from graph.context import Info
from graph.errors import to_member
from graph.inputs import whmcs_id
from graph.invoices.types import WhmcsInvoice, WhmcsInvoiceDetail
from graph.types.errors import NotFoundError, WhmcsError
from graph.types.page import Page, page_of
from graph.whmcs_reads import ModuleRead, page_args, read_module
from integrations.whmcs import entities as e
from integrations.whmcs.sync.errors import SyncError

WhmcsInvoicesResult = Annotated[
    Page[WhmcsInvoice] | NotFoundError | WhmcsError, strawberry.union("WhmcsInvoicesResult")
]
WhmcsInvoiceResult = Annotated[
    WhmcsInvoiceDetail | NotFoundError | WhmcsError, strawberry.union("WhmcsInvoiceResult")
]


@strawberry.type
class Query:
    @strawberry.field(
        description="Newest first. status: an invoice status (e.g. Unpaid, Paid), or Overdue."
    )
    async def whmcs_invoices(
        self,
        info: Info,
        whmcs_client_id: strawberry.ID,
        status: str | None = strawberry.UNSET,
        offset: int = 0,
        limit: int = 25,
    ) -> WhmcsInvoicesResult:
        try:
            args = page_args(whmcs_client_id, offset, limit, status)
            read = ModuleRead(
                entity_type=models.EntityType.INVOICE,
                operation=models.SyncOperation.LIST,
                key="list:" + args.key,
                owner=args.client_id,
                record_type=e.WhmcsPage[e.WhmcsInvoice],
            )
            page = await read_module(
                info,
                read,
                lambda whmcs: whmcs.invoices.list(
                    args.client_id, status=args.status, offset=offset, limit=limit
                ),
            )
        except SyncError as exc:
            return to_member(exc)
        return page_of(
            WhmcsInvoice,
            page.items,
            WhmcsInvoice.from_record,
            total=page.total,
            offset=offset,
            limit=limit,
        )

    @strawberry.field(
        description="NotFoundError (entityType INVOICE) when WHMCS has no such invoice."
    )
    async def whmcs_invoice(self, info: Info, id: strawberry.ID) -> WhmcsInvoiceResult:
        try:
            invoice_id = whmcs_id(id, models.EntityType.INVOICE)
            read = ModuleRead(
                entity_type=models.EntityType.INVOICE,
                operation=models.SyncOperation.FETCH,
                key=f"detail:{invoice_id}",
                owner=None,
                record_type=e.WhmcsInvoiceDetail,
                record_id=invoice_id,
            )
            detail = await read_module(info, read, lambda whmcs: whmcs.invoices.get(invoice_id))
        except SyncError as exc:
            return to_member(exc)
        return WhmcsInvoiceDetail.from_record(detail)
