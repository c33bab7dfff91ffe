"""Support tickets: ``whmcs.tickets.list()`` and ``.get()``.

Both always send ``ignore_dept_assignments``: without it WHMCS shows the API admin only the
tickets of the departments it is assigned to, so a client's ticket elsewhere would be missing
with no error.
"""

from __future__ import annotations

from dataclasses import dataclass

from integrations.whmcs.entities.page import WhmcsPage
from integrations.whmcs.entities.tickets import WhmcsTicket, WhmcsTicketDetail
from integrations.whmcs.normalise import WhmcsShapeError
from integrations.whmcs.resources.base import Caller, client_page, positive_id, shape_error

__all__ = ["TicketsResource"]


@dataclass(frozen=True, slots=True)
class TicketsResource:
    """Ticket reads. Every method raises :class:`~integrations.whmcs.errors.WhmcsError`."""

    whmcs: Caller

    async def list(
        self, client_id: int, *, status: str | None = None, offset: int = 0, limit: int = 25
    ) -> WhmcsPage[WhmcsTicket]:
        """One page of the client's tickets in every department (``GetTickets``), most
        recently active first, optionally of one ``status``.

        Raises :class:`~integrations.whmcs.errors.WhmcsNotFoundError` when there is no such
        client.
        """
        return await client_page(
            self.whmcs,
            "GetTickets",
            {
                "clientid": positive_id(client_id, "client_id"),
                "status": status or None,
                "ignore_dept_assignments": True,
            },
            client_id=client_id,
            offset=offset,
            limit=limit,
            container="tickets",
            singular="ticket",
            parse_row=WhmcsTicket.from_row,
        )

    async def get(self, ticket_id: int) -> WhmcsTicketDetail:
        """The ticket with its whole thread, oldest message first (``GetTicket``).

        Raises :class:`~integrations.whmcs.errors.WhmcsNotFoundError` (``entity ==
        "ticket"``) when there is none.
        """
        action = "GetTicket"
        body = await self.whmcs.call(
            action,
            {
                "ticketid": positive_id(ticket_id, "ticket_id"),
                "repliessort": "ASC",
                "ignore_dept_assignments": True,
            },
        )
        try:
            return WhmcsTicketDetail.from_body(body)
        except WhmcsShapeError as exc:
            raise shape_error(action, exc) from exc
