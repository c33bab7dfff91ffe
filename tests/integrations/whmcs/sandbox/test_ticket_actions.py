"""GetTickets and GetTicket: department assignments, string types, the thread as WHMCS shows it."""

from __future__ import annotations

from .conftest import Api

MARGARET, BOB, ACME, BOB_JONES = 1, 2, 3, 4


async def test_tickets_hide_other_departments_unless_told_not_to(api: Api) -> None:
    # Bob has a ticket in Support (the API admin's department) and one in Billing.
    assigned = await api.ok("GetTickets", clientid=str(BOB))
    every = await api.ok("GetTickets", clientid=str(BOB), ignore_dept_assignments="1")
    as_text = await api.ok("GetTickets", clientid=str(BOB), ignore_dept_assignments="true")
    # PHP's boolean cast: the string "false" is true, "0" is false.
    zero = await api.ok("GetTickets", clientid=str(BOB), ignore_dept_assignments="0")

    assert [t["deptid"] for t in assigned["tickets"]["ticket"]] == ["1"]
    assert sorted(t["deptid"] for t in every["tickets"]["ticket"]) == ["1", "2"]
    assert as_text["totalresults"] == every["totalresults"] == "2"
    assert zero["totalresults"] == "1"


async def test_tickets_typed_as_documented_most_recent_first(api: Api) -> None:
    body = await api.ok("GetTickets", clientid=str(BOB), ignore_dept_assignments="1")

    assert (body["totalresults"], body["startnumber"], body["numreturned"]) == ("2", 0, 2)
    rows = body["tickets"]["ticket"]
    assert [r["lastreply"] for r in rows] == sorted((r["lastreply"] for r in rows), reverse=True)
    billing = rows[0]
    odd = {k: v for k, v in billing.items() if not isinstance(v, str)}
    assert odd == {"attachments": [], "attachments_removed": False}
    assert (billing["status"], billing["priority"], billing["service"]) == ("Open", "High", "S3")
    assert (billing["userid"], billing["requestor_type"]) == ("2", "Owner")
    assert len(billing["c"]) == 8
    assert billing["tid"].isdigit()
    assert len(billing["tid"]) == 6


async def test_tickets_of_a_client_with_none_is_an_empty_string(api: Api) -> None:
    body = await api.ok("GetTickets", clientid=str(BOB_JONES), ignore_dept_assignments="1")

    assert (body["totalresults"], body["numreturned"], body["tickets"]) == ("0", 0, "")


async def test_tickets_status_filters(api: Api) -> None:
    def statuses(body: dict[str, object]) -> set[str]:
        tickets = body["tickets"]
        assert isinstance(tickets, dict)
        return {t["status"] for t in tickets["ticket"]}

    every = {"ignore_dept_assignments": "1"}
    awaiting = await api.ok("GetTickets", status="Awaiting Reply", **every)
    active = await api.ok("GetTickets", status="All Active Tickets", **every)
    closed = await api.ok("GetTickets", status="closed", **every)

    assert statuses(awaiting) == {"Open", "Customer-Reply"}
    assert "Closed" not in statuses(active)
    assert {"Answered", "On Hold"} <= statuses(active)
    assert statuses(closed) == {"Closed"}


async def test_tickets_subject_is_an_approximate_match(api: Api) -> None:
    body = await api.ok("GetTickets", subject="suspended", ignore_dept_assignments="1")

    assert [t["subject"] for t in body["tickets"]["ticket"]] == [
        "Why was my Starter service suspended?"
    ]


async def test_a_guests_ticket_has_no_client(api: Api) -> None:
    body = await api.ok("GetTickets", email="someone@example.org", ignore_dept_assignments="1")

    (guest,) = body["tickets"]["ticket"]
    assert (guest["userid"], guest["requestor_type"], guest["owner_name"]) == ("0", "Guest", "")


async def bob_closed_ticket(api: Api) -> dict[str, str]:
    body = await api.ok("GetTickets", clientid=str(BOB), status="Closed")
    return body["tickets"]["ticket"][0]  # type: ignore[no-any-return]


async def test_ticket_thread_opening_message_is_reply_0(api: Api) -> None:
    row = await bob_closed_ticket(api)

    body = await api.ok("GetTicket", ticketid=row["id"])

    assert (body["ticketid"], body["tid"], body["c"]) == (row["id"], row["tid"], row["c"])
    assert (body["deptid"], body["deptname"], body["userid"]) == ("1", "General Support", "2")
    opening, admin_reply, customer_reply = body["replies"]["reply"]
    assert (opening["replyid"], opening["message"]) == ("0", "Which nameservers do I use?")
    assert (opening["admin"], opening["name"]) == ("", "Bob Smith")
    assert opening["attachments"] == [[]]
    assert (admin_reply["admin"], admin_reply["name"], admin_reply["email"]) == (
        "Demo Admin",
        "",
        "",
    )
    assert customer_reply["admin"] == ""
    assert [r["date"] for r in body["replies"]["reply"]] == sorted(
        r["date"] for r in body["replies"]["reply"]
    )
    (note,) = body["notes"]["note"]
    assert (note["admin"], note["noteid"]) == ("Demo Admin", note["noteid"])
    assert note["message"].startswith("Customer on the legacy cluster")
    assert body["lastreply"] == customer_reply["date"]


async def test_ticket_replies_sorted_descending_on_request(api: Api) -> None:
    row = await bob_closed_ticket(api)

    body = await api.ok("GetTicket", ticketid=row["id"], repliessort="DESC")

    assert body["replies"]["reply"][-1]["replyid"] == "0"


async def test_ticket_by_its_number_and_in_any_department(api: Api) -> None:
    every = await api.ok("GetTickets", clientid=str(BOB), ignore_dept_assignments="1")
    billing = next(t for t in every["tickets"]["ticket"] if t["deptid"] == "2")

    body = await api.ok("GetTicket", ticketnum=billing["tid"])

    assert (body["ticketid"], body["deptname"]) == (billing["id"], "Billing")
    assert body["notes"] == {"note": []}
    assert [r["replyid"] for r in body["replies"]["reply"]] == ["0"]


async def test_ticket_with_a_non_ascii_subject(api: Api) -> None:
    reply = await api.call("GetTickets", clientid="8", ignore_dept_assignments="1")

    assert "\\u8acb" in reply.text  # json_encode writes non-ASCII as \\uXXXX
    assert reply.json()["tickets"]["ticket"][0]["subject"].startswith("請求書")


async def test_ticket_not_found(api: Api) -> None:
    assert await api.fails("GetTicket", ticketid="9999") == "Ticket ID Not Found"
    assert await api.fails("GetTicket", ticketnum="000000") == "Ticket ID Not Found"
    assert await api.fails("GetTicket") == "Ticket ID Not Found"
