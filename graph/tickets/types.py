"""WhmcsTicket, its page, and one ticket with its whole thread."""

from __future__ import annotations

import datetime
from typing import Self

import strawberry

from graph.whmcs_reads import ids, opt_id
from integrations.whmcs import entities as e


@strawberry.type(description="A support ticket (GetTickets).")
class WhmcsTicket:
    id: strawberry.ID
    number: str = strawberry.field(description="The ticket number the customer sees (tid).")
    department_id: strawberry.ID
    department_name: str | None
    client_id: strawberry.ID | None
    subject: str
    status: str = strawberry.field(
        description=(
            "Open, Answered, Customer-Reply, On Hold, In Progress, Closed, or a status the WHMCS "
            "admin defined."
        )
    )
    priority: str
    date: datetime.datetime
    last_reply: datetime.datetime | None

    @classmethod
    def from_record(cls, r: e.WhmcsTicket) -> Self:
        return cls(
            id=ids(r.id),
            number=r.number,
            department_id=ids(r.department_id),
            department_name=r.department_name,
            client_id=opt_id(r.client_id),
            subject=r.subject,
            status=r.status,
            priority=r.priority,
            date=r.date,
            last_reply=r.last_reply,
        )


@strawberry.type
class WhmcsTicketMessage:
    id: strawberry.ID = strawberry.field(description="0 for the opening message.")
    name: str | None = strawberry.field(description="The author's name as WHMCS shows it.")
    email: str | None
    admin: str | None = strawberry.field(
        description="The staff member's name when staff wrote it; null for the customer."
    )
    date: datetime.datetime
    message: str

    @classmethod
    def from_record(cls, r: e.WhmcsTicketMessage) -> Self:
        return cls(
            id=ids(r.id),
            name=r.name,
            email=r.email,
            admin=r.admin,
            date=r.date,
            message=r.message,
        )


@strawberry.type(description="One ticket with its whole thread (GetTicket).")
class WhmcsTicketDetail:
    ticket: WhmcsTicket
    messages: list[WhmcsTicketMessage] = strawberry.field(
        description="Oldest first; the first is the opening message."
    )

    @classmethod
    def from_record(cls, r: e.WhmcsTicketDetail) -> Self:
        # Staff notes (r.notes) are never shown to the customer: not exposed.
        return cls(
            ticket=WhmcsTicket.from_record(r.ticket),
            messages=[WhmcsTicketMessage.from_record(m) for m in r.messages],
        )
