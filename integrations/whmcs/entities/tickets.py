"""Support tickets (``GetTickets`` rows) and one ticket with its thread (``GetTicket``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from integrations.whmcs.normalise import (
    WhmcsShapeError,
    as_datetime,
    as_int,
    as_list,
    as_opt_str,
    as_ref,
    as_str,
)

__all__ = ["WhmcsTicket", "WhmcsTicketDetail", "WhmcsTicketMessage", "WhmcsTicketNote"]


def _moment(value: object, field: str) -> datetime:
    moment = as_datetime(value, field)
    if moment is None:
        raise WhmcsShapeError(field, "a date-time", value)
    return moment


@dataclass(frozen=True, slots=True)
class WhmcsTicket:
    """A ticket. Its access key ``c`` (it opens the ticket without a login) is not kept."""

    id: int
    number: str  # the ``tid`` the customer sees, e.g. "516757"
    department_id: int
    department_name: str | None  # GetTicket says; GetTickets does not
    client_id: int | None  # None for a ticket opened by e-mail by someone who is no client
    name: str | None  # the submitter, as WHMCS shows them
    email: str | None
    subject: str
    status: str  # Open, Answered, Customer-Reply, On Hold, In Progress, Closed or an admin's own
    priority: str
    date: datetime
    last_reply: datetime | None
    related: str | None  # "S<id>" for a service, "D<id>" for a domain (``service``)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """A record from one ``tickets.ticket[]`` row or the top level of ``GetTicket`` (which
        names the id ``ticketid``)."""
        ticket_id = row.get("id") if row.get("id") is not None else row.get("ticketid")
        return cls(
            id=as_int(ticket_id, "ticket.id"),
            number=as_str(row.get("tid"), "ticket.tid"),
            department_id=as_int(row.get("deptid"), "ticket.deptid"),
            department_name=as_opt_str(row.get("deptname"), "ticket.deptname"),
            client_id=as_ref(row.get("userid"), "ticket.userid"),
            name=as_opt_str(row.get("name"), "ticket.name"),
            email=as_opt_str(row.get("email"), "ticket.email"),
            subject=as_str(row.get("subject"), "ticket.subject"),
            status=as_str(row.get("status"), "ticket.status"),
            priority=as_str(row.get("priority"), "ticket.priority"),
            date=_moment(row.get("date"), "ticket.date"),
            last_reply=as_datetime(row.get("lastreply"), "ticket.lastreply"),
            related=as_opt_str(row.get("service"), "ticket.service"),
        )


@dataclass(frozen=True, slots=True)
class WhmcsTicketMessage:
    """One message of the thread (``replies.reply[]``); id 0 is the opening message."""

    id: int
    name: str | None
    email: str | None
    admin: str | None  # the staff member's name when staff wrote it
    date: datetime
    message: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(
            id=as_int(row.get("replyid"), "reply.replyid"),
            name=as_opt_str(row.get("name"), "reply.name"),
            email=as_opt_str(row.get("email"), "reply.email"),
            admin=as_opt_str(row.get("admin"), "reply.admin"),
            date=_moment(row.get("date"), "reply.date"),
            message=as_str(row.get("message"), "reply.message"),
        )


@dataclass(frozen=True, slots=True)
class WhmcsTicketNote:
    """A staff-only note on a ticket (``notes.note[]``): never shown to the customer."""

    id: int
    admin: str | None
    date: datetime
    message: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(
            id=as_int(row.get("noteid"), "note.noteid"),
            admin=as_opt_str(row.get("admin"), "note.admin"),
            date=_moment(row.get("date"), "note.date"),
            message=as_str(row.get("message"), "note.message"),
        )


@dataclass(frozen=True, slots=True)
class WhmcsTicketDetail:
    """One ticket with its messages, oldest first, and its staff notes (``GetTicket``)."""

    ticket: WhmcsTicket
    messages: tuple[WhmcsTicketMessage, ...]
    notes: tuple[WhmcsTicketNote, ...]

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Self:
        """From a ``GetTicket`` answer. Messages are sorted by date, then id, whatever
        ``repliessort`` the WHMCS admin set."""
        messages = [WhmcsTicketMessage.from_row(r) for r in as_list(body.get("replies"), "reply")]
        messages.sort(key=lambda m: (m.date, m.id))
        return cls(
            ticket=WhmcsTicket.from_row(body),
            messages=tuple(messages),
            notes=tuple(WhmcsTicketNote.from_row(n) for n in as_list(body.get("notes"), "note")),
        )
