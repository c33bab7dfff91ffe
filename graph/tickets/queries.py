"""whmcsTickets (a WHMCS client's, in every department) and whmcsTicket (one, with its
thread)."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from graph.context import Info
from graph.errors import to_member
from graph.inputs import whmcs_id
from graph.tickets.types import WhmcsTicket, WhmcsTicketDetail
from graph.types.errors import NotFoundError, WhmcsError
from graph.types.page import Page, page_of
from graph.whmcs_reads import ModuleRead, page_args, read_module
from integrations.whmcs import entities as e
from integrations.whmcs.sync.errors import SyncError

WhmcsTicketsResult = Annotated[
    Page[WhmcsTicket] | NotFoundError | WhmcsError, strawberry.union("WhmcsTicketsResult")
]
WhmcsTicketResult = Annotated[
    WhmcsTicketDetail | NotFoundError | WhmcsError, strawberry.union("WhmcsTicketResult")
]


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "Every department's tickets, also those the API admin is not assigned to. status: a "
            "ticket status."
        )
    )
    async def whmcs_tickets(
        self,
        info: Info,
        whmcs_client_id: strawberry.ID,
        status: str | None = strawberry.UNSET,
        offset: int = 0,
        limit: int = 25,
    ) -> WhmcsTicketsResult:
        try:
            args = page_args(whmcs_client_id, offset, limit, status)
            read = ModuleRead(
                entity_type=models.EntityType.TICKET,
                operation=models.SyncOperation.LIST,
                key="list:" + args.key,
                owner=args.client_id,
                record_type=e.WhmcsPage[e.WhmcsTicket],
            )
            page = await read_module(
                info,
                read,
                lambda whmcs: whmcs.tickets.list(
                    args.client_id, status=args.status, offset=offset, limit=limit
                ),
            )
        except SyncError as exc:
            return to_member(exc)
        return page_of(
            WhmcsTicket,
            page.items,
            WhmcsTicket.from_record,
            total=page.total,
            offset=offset,
            limit=limit,
        )

    @strawberry.field(
        description="NotFoundError (entityType TICKET) when WHMCS has no such ticket."
    )
    async def whmcs_ticket(self, info: Info, id: strawberry.ID) -> WhmcsTicketResult:
        try:
            ticket_id = whmcs_id(id, models.EntityType.TICKET)
            read = ModuleRead(
                entity_type=models.EntityType.TICKET,
                operation=models.SyncOperation.FETCH,
                key=f"detail:{ticket_id}",
                owner=None,
                record_type=e.WhmcsTicketDetail,
                record_id=ticket_id,
            )
            detail = await read_module(info, read, lambda whmcs: whmcs.tickets.get(ticket_id))
        except SyncError as exc:
            return to_member(exc)
        return WhmcsTicketDetail.from_record(detail)
