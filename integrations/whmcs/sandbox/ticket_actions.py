"""GetTickets and GetTicket, typed as WHMCS types them: every value a string, ``totalresults`` a
string while ``numreturned`` is an int, no rows ``""`` [unv: the exact empty shape].

GetTickets shows the API admin only the tickets of the departments it is assigned to
(``ModuleStore.admin_departments``) unless ``ignore_dept_assignments`` is true; tickets come most
recently active first. GetTicket shows the opening message as ``replies.reply[0]`` with
``replyid`` "0", and entries without attachments carry ``"attachments": [[]]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .module_actions import listing
from .module_records import TicketRecord
from .module_store import API_ADMIN_ID, DEPARTMENTS
from .php import php_int, php_truthy

if TYPE_CHECKING:
    from .config import SandboxConfig
    from .state import SandboxState

Params = Mapping[str, str]
Payload = dict[str, Any]

TICKET_NOT_FOUND = "Ticket ID Not Found"
_AWAITING_REPLY = frozenset({"open", "customer-reply"})


def _status_matches(ticket: TicketRecord, wanted: str) -> bool:
    status = ticket.status.lower()
    match wanted:
        case "":
            return True
        case "awaiting reply":
            return status in _AWAITING_REPLY
        case "all active tickets":
            return status != "closed"
        case "my flagged tickets":
            return ticket.flag == API_ADMIN_ID and status != "closed"
    return status == wanted


def _requestor(t: TicketRecord) -> Payload:
    kind = "Owner" if t.userid else "Guest"
    return {"requestor_name": t.name, "requestor_email": t.email, "requestor_type": kind}


def _list_row(t: TicketRecord) -> Payload:
    return {
        "id": str(t.id), "tid": t.tid, "deptid": str(t.deptid), "userid": str(t.userid),
        "name": t.name, "owner_name": t.name if t.userid else "", "email": t.email,
        **_requestor(t), "cc": t.cc, "c": t.c, "date": t.date, "subject": t.subject,
        "status": t.status, "priority": t.priority, "admin": t.admin, "attachment": "",
        "attachments": [], "attachments_removed": False, "lastreply": t.lastreply,
        "flag": str(t.flag), "service": t.service,
    }  # fmt: skip


def get_tickets(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    client_id = php_int(params.get("clientid"))
    dept_id = php_int(params.get("deptid"))
    email = params.get("email", "").strip().lower()
    subject = params.get("subject", "").strip().lower()
    status = params.get("status", "").strip().lower()
    every_department = php_truthy(params.get("ignore_dept_assignments"))
    visible = set(DEPARTMENTS) if every_department else state.modules.admin_departments
    rows = [
        t
        for t in state.modules.tickets.values()
        if t.deptid in visible
        and (not client_id or t.userid == client_id)
        and (not dept_id or t.deptid == dept_id)
        and (not email or t.email.lower() == email)
        and (not subject or subject in t.subject.lower())
        and _status_matches(t, status)
    ]
    rows.sort(key=lambda t: (t.lastreply, t.id), reverse=True)
    return listing(rows, params, "tickets", _list_row, text_total=True, empty_string=True)


def get_ticket(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    wanted_id = php_int(params.get("ticketid"))
    number = params.get("ticketnum", "").strip()
    ticket = next(
        (
            t
            for t in state.modules.tickets.values()
            if (wanted_id and t.id == wanted_id) or (not wanted_id and number and t.tid == number)
        ),
        None,
    )
    if ticket is None:
        return {"result": "error", "message": TICKET_NOT_FOUND}
    t = ticket
    opening = {
        "replyid": "0", "userid": str(t.userid), "contactid": "0", "name": t.name,
        "email": t.email, **_requestor(t), "date": t.date, "message": t.message,
        "attachment": "", "attachments": [[]], "attachments_removed": False, "admin": "",
    }  # fmt: skip
    replies = [opening] + [
        {
            "replyid": str(r.id), "userid": str(t.userid if not r.admin else 0),
            "contactid": "0", "name": r.name, "email": r.email,
            "requestor_name": r.admin or r.name, "requestor_email": r.email,
            "requestor_type": "Operator" if r.admin else "Owner", "date": r.date,
            "message": r.message, "attachment": "", "attachments": [[]],
            "attachments_removed": False, "admin": r.admin, "rating": "0",
        }
        for r in t.replies
    ]  # fmt: skip
    if params.get("repliessort", "ASC").strip().upper() == "DESC":
        replies.reverse()
    notes = [
        {"noteid": str(n.id), "date": n.date, "message": n.message, "admin": n.admin,
         "attachments": [[]], "attachments_removed": False}
        for n in t.notes
    ]  # fmt: skip
    return {
        "result": "success", "ticketid": str(t.id), "tid": t.tid, "c": t.c,
        "deptid": str(t.deptid), "deptname": DEPARTMENTS[t.deptid], "userid": str(t.userid),
        "contactid": "0", "name": t.name, "email": t.email, **_requestor(t), "cc": t.cc,
        "date": t.date, "subject": t.subject, "status": t.status, "priority": t.priority,
        "admin": t.admin, "lastreply": t.lastreply, "flag": str(t.flag), "service": t.service,
        "replies": {"reply": replies}, "notes": {"note": notes},
    }  # fmt: skip


TICKET_HANDLERS = {"GetTickets": get_tickets, "GetTicket": get_ticket}
