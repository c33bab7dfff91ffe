"""whmcsTickets and whmcsTicket end to end through HTTP against the sandbox."""

from __future__ import annotations

from tests.conftest import Api
from tests.graph.module_documents import TICKET, TICKETS
from tests.graph.whmcs_reads.support import actions, audit_rows, last_call, read


async def test_tickets_in_every_department(api: Api) -> None:
    page = await read(api, TICKETS, c="2")

    # Ticket 2 is in Billing, where the API admin is not assigned: listed all the same.
    assert [(t["id"], t["departmentId"], t["status"]) for t in page["items"]] == [
        ("2", "2", "Open"),
        ("3", "1", "Closed"),
    ]
    assert page["items"][0] == {
        "id": "2",
        "number": page["items"][0]["number"],
        "departmentId": "2",
        "departmentName": None,  # GetTickets does not say
        "clientId": "2",
        "subject": "Why was my Starter service suspended?",
        "status": "Open",
        "priority": "High",
        "date": "2024-02-03T18:40:00",
        "lastReply": "2024-02-03T18:40:00",
    }
    call = last_call(api, "GetTickets")
    assert (call["clientid"], call["ignore_dept_assignments"]) == ("2", "1")


async def test_the_status_filter_and_paging(api: Api) -> None:
    closed = await read(api, TICKETS, c="2", status="Closed")
    second = await read(api, TICKETS, c="2", offset=1, limit=1)

    assert [t["id"] for t in closed["items"]] == ["3"]
    assert (second["total"], second["offset"], [t["id"] for t in second["items"]]) == (
        2,
        1,
        ["3"],
    )


async def test_one_ticket_with_its_whole_thread(api: Api) -> None:
    detail = await read(api, TICKET, id="3")

    assert detail["ticket"]["departmentName"] == "General Support"
    assert detail["messages"] == [
        {
            "id": "0",
            "name": "Bob Smith",
            "email": "bob@example.com",
            "admin": None,
            "date": "2019-04-01T08:00:00",
            "message": "Which nameservers do I use?",
        },
        {
            "id": detail["messages"][1]["id"],
            "name": None,
            "email": None,
            "admin": "Demo Admin",
            "date": "2019-04-01T08:20:00",
            "message": "ns1.example.net and ns2.example.net.",
        },
        {
            "id": detail["messages"][2]["id"],
            "name": "Bob Smith",
            "email": "bob@example.com",
            "admin": None,
            "date": "2019-04-01T09:00:00",
            "message": "Thanks, working now.",
        },
    ]
    call = last_call(api, "GetTicket")
    assert (call["ticketid"], call["ignore_dept_assignments"]) == ("3", "1")


async def test_a_non_ascii_ticket_and_a_guests_ticket(api: Api) -> None:
    page = await read(api, TICKETS, c="8")
    guest = await read(api, TICKET, id="6")

    assert [t["subject"] for t in page["items"]] == ["請求書について (about my invoice)"]
    assert guest["ticket"]["clientId"] is None  # userid 0: someone who is no client
    assert guest["messages"][0]["email"] == "someone@example.org"


async def test_empty_unknown_and_not_found(api: Api) -> None:
    empty = await read(api, TICKETS, c="4")
    unknown = await read(api, TICKETS, c="999")
    missing = await read(api, TICKET, id="9999")

    assert (empty["__typename"], empty["items"]) == ("WhmcsTicketPage", [])
    assert (unknown["__typename"], unknown["entityType"]) == ("NotFoundError", "CLIENT")
    assert (missing["__typename"], missing["entityType"], missing["id"], missing["message"]) == (
        "NotFoundError",
        "TICKET",
        "9999",
        "No ticket 9999 in WHMCS.",
    )
    assert actions(api)[-1] == "GetTicket"


async def test_ticket_reads_are_audited_as_ticket_reads(api: Api) -> None:
    await read(api, TICKET, id="4")
    await read(api, TICKETS, c="3")

    assert await audit_rows() == [
        ("FETCH", "TICKET", 3, "GetTicket", "SUCCESS"),
        ("LIST", "TICKET", 3, "GetTickets", "SUCCESS"),
    ]
