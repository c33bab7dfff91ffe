"""Module records: added through the control endpoint, removed with their client, reset."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api
from .test_control import _control, ctl  # the control endpoint's helper and fixture

__all__ = ["ctl"]  # a fixture: used by name


async def test_add_an_invoice_with_lines_and_a_payment(ctl: Api) -> None:
    fields = {
        "userid": 4, "date": "2025-01-01", "duedate": "2025-01-08", "status": "Paid",
        "datepaid": "2025-01-02 10:00:00", "taxrate": "7.5",
        "items": [
            {"type": "Item", "relid": 0, "description": "Setup", "amount": "10.00", "taxed": True},
            {"type": "Item", "relid": 0, "description": "Extra", "amount": "0.05"},
        ],
        "transactions": [{"gateway": "paypal", "date": "2025-01-02 10:00:00", "amountin": "10.80"}],
    }  # fmt: skip

    status, body = await _control(ctl, {"op": "add_record", "kind": "invoice", "fields": fields})
    invoice = await ctl.ok("GetInvoice", invoiceid=str(body["id"]))

    assert (status, body["ok"]) == (200, True)
    assert (invoice["subtotal"], invoice["tax"], invoice["total"], invoice["balance"]) == (
        "10.05",
        "0.75",
        "10.80",
        "0.00",
    )
    assert invoice["transactions"]["transaction"][0]["amountin"] == "10.80"


@pytest.mark.parametrize(
    ("kind", "fields", "action", "params"),
    [
        ("service", {"clientid": 4, "pid": 1, "name": "Starter", "groupname": "Shared Hosting",
                     "recurringamount": "5.95", "password": "x"}, "GetClientsProducts",
         {"clientid": "4"}),
        ("domain", {"userid": 4, "domainname": "jones.example"}, "GetClientsDomains",
         {"clientid": "4"}),
        ("order", {"userid": 4, "date": "2025-01-01 10:00:00"}, "GetOrders", {"userid": "4"}),
        ("ticket", {"userid": 4, "deptid": 1, "date": "2025-01-01 10:00:00", "subject": "Hi",
                    "message": "Hello", "replies": [{"date": "2025-01-01 11:00:00",
                                                     "admin": "Demo Admin", "message": "Hi!"}]},
         "GetTickets", {"clientid": "4"}),
    ],
)  # fmt: skip
async def test_add_each_kind(
    ctl: Api, kind: str, fields: dict[str, Any], action: str, params: dict[str, str]
) -> None:
    status, body = await _control(ctl, {"op": "add_record", "kind": kind, "fields": fields})
    listed = await ctl.ok(action, **params)

    assert status == 200
    assert listed["numreturned"] == 1
    (row,) = next(iter(v for v in listed.values() if isinstance(v, dict))).values()
    assert str(row[0]["id"]) == str(body["id"])


async def test_an_added_ticket_takes_its_clients_name(ctl: Api) -> None:
    fields = {
        "userid": 4,
        "deptid": 1,
        "date": "2025-01-01 10:00:00",
        "subject": "Hi",
        "message": "x",
    }

    _, body = await _control(ctl, {"op": "add_record", "kind": "ticket", "fields": fields})
    ticket = await ctl.ok("GetTicket", ticketid=str(body["id"]))

    assert (ticket["name"], ticket["email"]) == ("Bob Jones", "bob@example.com.au")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"op": "add_record", "kind": "quote", "fields": {}}, "unknown record kind"),
        ({"op": "add_record", "kind": "domain",
          "fields": {"userid": 999, "domainname": "x.example"}}, "no client 999"),
        ({"op": "add_record", "kind": "domain", "fields": {"userid": 4, "domainname": "x.example",
                                                           "colour": "red"}}, "unknown field"),
        ({"op": "add_record", "kind": "service", "fields": {"clientid": 4, "pid": 1, "name": "S",
                                                            "groupname": "G",
                                                            "recurringamount": "cheap"}},
         "not a Decimal"),
        ({"op": "add_record", "kind": "invoice", "fields": {"userid": 4}}, "missing"),
        ({"op": "add_record", "kind": "ticket", "fields": {"userid": 4, "deptid": 9,
                                                           "date": "2025-01-01 10:00:00",
                                                           "subject": "s", "message": "m"}},
         "no department 9"),
        ({"op": "add_record", "kind": "domain"}, "'fields' must be an object"),
    ],
)  # fmt: skip
async def test_add_record_refuses_bad_records(ctl: Api, body: dict[str, Any], error: str) -> None:
    before = ctl.sandbox.state.modules.domains.copy()

    status, answer = await _control(ctl, body)

    assert (status, answer["ok"]) == (400, False)
    assert error in answer["error"]
    assert ctl.sandbox.state.modules.domains == before


async def test_deleting_a_client_removes_its_records(api: Api) -> None:
    await api.ok("DeleteClient", clientid="2")

    products = await api.ok("GetClientsProducts", clientid="2")
    invoices = await api.ok("GetInvoices", userid="2")
    tickets = await api.ok("GetTickets", clientid="2", ignore_dept_assignments="1")

    assert (products["totalresults"], invoices["totalresults"], tickets["totalresults"]) == (
        "0",
        0,
        "0",
    )


async def test_reset_brings_back_the_demo_records(ctl: Api) -> None:
    modules = ctl.sandbox.state.modules
    seeded = (len(modules.services), len(modules.invoices), len(modules.tickets))
    await ctl.ok("DeleteClient", clientid="2")

    status, _ = await _control(ctl, {"op": "reset"})

    assert status == 200
    assert (len(modules.services), len(modules.invoices), len(modules.tickets)) == seeded
    assert modules.admin_departments == {1}
