"""Three WHMCS client libraries written by others for real installs, run against the sandbox on
loopback for the module actions: PyPI ``whmcspy`` (requests; pages until ``numreturned`` is 0),
PyPI ``whmcs-api-client`` (OpenAPI-generated, pydantic models; no GetInvoice, GetTickets or
GetTicket), npm ``whmcs`` (apocas/node-whmcs 1.2.2: lower-case actions, username/password).

Each must read what a real WHMCS would give it. The node client runs from
tests/integrations/whmcs/sandbox/judges (installed here with `npm ci` when missing; `make
judge-deps` does the same); without node it skips, except in CI, where that is a failure.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
import whmcspy
from whmcs_client import ApiClient, Configuration, DefaultApi
from whmcs_client.models import DomainInfo

from integrations.whmcs.sandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET, RunningSandbox
from tests.support.node import node_with_packages

JUDGES = Path(__file__).resolve().parent / "judges"
BOB, ACME, BOB_JONES, EMMA = 2, 3, 4, 10


def acme_invoice_id(sandbox: RunningSandbox) -> int:
    return next(i.id for i in sandbox.state.modules.invoices.values() if i.userid == ACME)


def bob_closed_ticket_id(sandbox: RunningSandbox) -> int:
    tickets = sandbox.state.modules.tickets.values()
    return next(t.id for t in tickets if t.userid == BOB and t.status == "Closed")


# --- whmcspy ---------------------------------------------------------------------------------


def _whmcspy(api_url: str, invoice_id: int, ticket_id: int) -> dict[str, Any]:
    whmcs = whmcspy.WHMCS(api_url, DEFAULT_IDENTIFIER, DEFAULT_SECRET)
    return {
        "products": list(whmcs.get_clients_products(clientid=BOB)),
        "active": list(whmcs.get_clients_products(clientid=BOB, active=True)),
        "none": list(whmcs.get_clients_products(clientid=BOB_JONES)),
        "domains": list(whmcs.get_clients_domains(clientid=BOB)),
        "orders": list(whmcs.get_orders(userid=BOB)),
        "tickets": list(whmcs.get_tickets(clientid=BOB, ignore_dept_assignments=True)),
        "assigned": list(whmcs.get_tickets(clientid=BOB)),
        # No GetInvoices helper: its generic pager, which stops on numreturned == 0.
        "invoices": [
            invoice
            for page in whmcs.paginated_call("GetInvoices", userid=EMMA)
            for invoice in page["invoices"]["invoice"]
        ],
        "invoice": whmcs.get_invoice(invoice_id),
        "ticket": whmcs.call("GetTicket", ticketid=ticket_id),
    }


async def test_whmcspy(sandbox: RunningSandbox) -> None:
    got = await asyncio.to_thread(
        _whmcspy, sandbox.api_url, acme_invoice_id(sandbox), bob_closed_ticket_id(sandbox)
    )

    assert sorted(p["name"] for p in got["products"]) == ["Plus", "Starter", "VPS Small"]
    assert [p["name"] for p in got["active"]] == ["Plus"]
    assert got["none"] == []
    assert [d["domainname"] for d in got["domains"]] == ["bobsmith.example", "bob-smith.example"]
    assert [o["status"] for o in got["orders"]] == ["Pending", "Active"]
    assert sorted(t["deptid"] for t in got["tickets"]) == ["1", "2"]
    assert [t["deptid"] for t in got["assigned"]] == ["1"]
    assert len(got["invoices"]) == 30  # two pages of 25 and 5, then an empty one
    assert len({i["id"] for i in got["invoices"]}) == 30
    assert (got["invoice"]["total"], got["invoice"]["balance"]) == ("127.74", "40.08")
    assert got["ticket"]["replies"]["reply"][0]["replyid"] == "0"


async def test_whmcspy_sees_not_found_as_an_error(sandbox: RunningSandbox) -> None:
    whmcs = whmcspy.WHMCS(sandbox.api_url, DEFAULT_IDENTIFIER, DEFAULT_SECRET)

    with pytest.raises(whmcspy.exceptions.Error, match="Invoice ID Not Found"):
        await asyncio.to_thread(whmcs.get_invoice, 9999)


# --- whmcs-api-client ------------------------------------------------------------------------


def _whmcs_api_client(base_url: str) -> dict[str, Any]:
    api = DefaultApi(ApiClient(Configuration(host=f"{base_url}/includes")))
    auth = {"username": DEFAULT_IDENTIFIER, "password": DEFAULT_SECRET, "responsetype": "json"}
    return {
        "products": api.get_clients_products(**auth, clientid=BOB),
        "invoices": api.get_invoices(**auth, userid=EMMA, limitstart=25, limitnum=25),
        "overdue": api.get_invoices(**auth, userid=ACME, status="Payment Pending"),
        "orders": api.get_orders(**auth, userid=BOB, status="Pending"),
        # Its models validate every domain row: ints, dates, flags as booleans.
        "domains": {
            client: api.get_clients_domains(**auth, clientid=client) for client in range(1, 13)
        },
    }


async def test_whmcs_api_client(sandbox: RunningSandbox) -> None:
    got = await asyncio.to_thread(_whmcs_api_client, sandbox.url)

    products = got["products"]
    assert products.result == "success"
    assert [p["recurringamount"] for p in products.products["product"]] == [
        "59.40",
        "5.95",
        "24.00",
    ]
    invoices = got["invoices"]
    assert (invoices.totalresults, invoices.startnumber, invoices.numreturned) == (30, 25, 5)
    assert got["overdue"].invoices["invoice"][0]["total"] == "127.74"
    (order,) = got["orders"].orders["order"]
    assert order["paymentstatus"] == "Unpaid"
    bob = got["domains"][BOB]
    assert (bob.clientid, bob.domainid, bob.totalresults) == (BOB, None, 2)
    pending = bob.domains[1]
    assert isinstance(pending, DomainInfo)
    assert (pending.status, pending.expirydate, pending.emailforwarding) == (
        "Pending Registration",
        None,  # 0000-00-00
        False,
    )
    assert got["domains"][BOB_JONES].domains == []  # "domains": ""
    every = [d for answer in got["domains"].values() for d in answer.domains]
    assert len(every) == len(sandbox.state.modules.domains)


# --- npm whmcs -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> str:
    return node_with_packages(JUDGES, "whmcs", "judge-deps")


async def test_npm_whmcs(node: str, sandbox: RunningSandbox) -> None:
    env = {
        **os.environ,
        "JUDGE_INVOICE_ID": str(acme_invoice_id(sandbox)),
        "JUDGE_TICKET_ID": str(bob_closed_ticket_id(sandbox)),
    }
    process = await asyncio.create_subprocess_exec(
        node,
        str(JUDGES / "node_whmcs.cjs"),
        sandbox.api_url,
        DEFAULT_IDENTIFIER,
        DEFAULT_SECRET,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()[-2000:]
    got = json.loads(out)

    errors = {name: r["error"] for name, r in got.items() if "error" in r}
    assert errors == {
        "missingInvoice": "WHMCS Error (200): Invoice ID Not Found",
        "missingTicket": "WHMCS Error (200): Ticket ID Not Found",
    }
    assert got["products"]["numreturned"] == 3
    assert (got["productsPage"]["startnumber"], got["productsPage"]["numreturned"]) == (1, 1)
    assert (got["noProducts"]["products"], got["noDomains"]["domains"]) == ("", "")
    assert got["domains"]["totalresults"] == "2"
    assert (got["invoices"]["totalresults"], got["invoices"]["numreturned"]) == (30, 25)
    assert got["invoicesByBilling"]["invoices"]["invoice"][0]["invoicenum"] == "INV-2019-0042"
    assert got["invoice"]["balance"] == "40.08"
    assert len(got["invoice"]["transactions"]["transaction"]) == 2
    assert [o["status"] for o in got["orders"]["orders"]["order"]] == ["Pending", "Active"]
    assert (got["tickets"]["totalresults"], got["ticketsAssigned"]["totalresults"]) == ("2", "1")
    assert got["ticket"]["replies"]["reply"][0]["replyid"] == "0"
    assert got["ticket"]["deptname"] == "General Support"
