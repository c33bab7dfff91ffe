"""GetClientsProducts, GetClientsDomains, GetInvoices, GetInvoice and GetOrders: the documented
shapes and types, money as fixed-point strings, "none" as WHMCS writes it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from integrations.whmcs.sandbox import SandboxConfig, SandboxState
from integrations.whmcs.sandbox.module_actions import get_invoices

from .conftest import Api

BOB, ACME, BOB_JONES, EMMA = 2, 3, 4, 10  # demo clients; Bob Jones holds nothing


def only_strings(row: dict[str, Any], *, except_: tuple[str, ...] = ()) -> None:
    odd = {k: v for k, v in row.items() if k not in except_ and not isinstance(v, str)}
    assert not odd, f"not strings: {odd}"


# --- GetClientsProducts -----------------------------------------------------------------------


async def test_products_of_a_client_typed_as_documented(api: Api) -> None:
    body = await api.ok("GetClientsProducts", clientid=str(BOB))

    assert body["clientid"] == "2"
    assert (body["serviceid"], body["pid"], body["domain"]) == (None, None, None)
    assert (body["totalresults"], body["startnumber"], body["numreturned"]) == ("3", 0, 3)
    rows = body["products"]["product"]
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), key=int)
    plus = next(r for r in rows if r["name"] == "Plus")
    only_strings(plus, except_=("customfields", "configoptions"))
    assert plus["clientid"] == "2"
    assert (plus["firstpaymentamount"], plus["recurringamount"]) == ("59.40", "59.40")
    assert plus["billingcycle"] == "Annually"
    assert plus["paymentmethodname"] == "Stripe"
    assert plus["password"] == "Sbx-Plus-9Rt#"  # in clear, as WHMCS sends it
    assert (plus["overidesuspenduntil"], plus["lastupdate"]) == (
        "0000-00-00",
        "0000-00-00 00:00:00",
    )
    assert (plus["customfields"], plus["configoptions"]) == (
        {"customfield": []},
        {"configoption": []},
    )
    assert plus["servername"] == "Pluto"
    suspended = next(r for r in rows if r["status"] == "Suspended")
    assert suspended["suspensionreason"] == "Overdue on Payment"
    assert suspended["orderid"] == "0"  # added by an admin


async def test_products_of_a_client_with_none_is_an_empty_string(api: Api) -> None:
    body = await api.ok("GetClientsProducts", clientid=str(BOB_JONES))

    assert (body["totalresults"], body["numreturned"], body["products"]) == ("0", 0, "")


async def test_products_of_a_client_that_does_not_exist_is_no_error(api: Api) -> None:
    body = await api.ok("GetClientsProducts", clientid="999")

    assert (body["totalresults"], body["products"]) == ("0", "")


async def test_products_clientid_0_is_no_filter(api: Api) -> None:
    every = await api.ok("GetClientsProducts")
    zero = await api.ok("GetClientsProducts", clientid="0")

    assert (
        zero["totalresults"]
        == every["totalresults"]
        == str(len(api.sandbox.state.modules.services))
    )
    assert len({r["clientid"] for r in zero["products"]["product"]}) > 1


async def test_products_paging_and_filters(api: Api) -> None:
    page = await api.ok("GetClientsProducts", clientid=str(BOB), limitstart="1", limitnum="1")
    one = await api.ok("GetClientsProducts", serviceid="4")
    free = await api.ok("GetClientsProducts", clientid=str(ACME), pid="5")

    assert (page["totalresults"], page["startnumber"], page["numreturned"]) == ("3", 1, 1)
    assert one["serviceid"] == "4"
    assert [r["id"] for r in one["products"]["product"]] == ["4"]
    (status_page,) = free["products"]["product"]
    assert (status_page["billingcycle"], status_page["recurringamount"]) == ("Free Account", "0.00")
    assert status_page["nextduedate"] == "0000-00-00"


# --- GetClientsDomains ------------------------------------------------------------------------


async def test_domains_typed_as_documented(api: Api) -> None:
    body = await api.ok("GetClientsDomains", clientid=str(BOB))

    assert (body["clientid"], body["domainid"]) == ("2", "")
    assert (body["totalresults"], body["startnumber"], body["numreturned"]) == ("2", 0, 2)
    active, pending = body["domains"]["domain"]
    only_strings(active)
    assert (active["domainname"], active["emailforwarding"], active["idprotection"]) == (
        "bobsmith.example",
        "1",
        "0",
    )
    assert (pending["status"], pending["expirydate"]) == ("Pending Registration", "0000-00-00")
    assert (pending["firstpaymentamount"], pending["recurringamount"]) == ("11.25", "12.95")


async def test_domains_of_a_client_with_none_is_an_empty_string(api: Api) -> None:
    body = await api.ok("GetClientsDomains", clientid=str(BOB_JONES))

    assert (body["totalresults"], body["numreturned"], body["domains"]) == ("0", 0, "")


async def test_domains_by_id_and_name(api: Api) -> None:
    by_id = await api.ok("GetClientsDomains", domainid="1")
    by_name = await api.ok("GetClientsDomains", domain="OBRIEN.example")

    assert by_id["domainid"] == "1"
    assert [d["domainname"] for d in by_id["domains"]["domain"]] == ["margarethale.example"]
    (transfer,) = by_name["domains"]["domain"]
    assert (transfer["regtype"], transfer["status"]) == ("Transfer", "Pending Transfer")


# --- GetInvoices ------------------------------------------------------------------------------


async def test_invoices_typed_as_documented(api: Api) -> None:
    body = await api.ok("GetInvoices", userid=str(ACME))

    assert (body["totalresults"], body["startnumber"], body["numreturned"]) == (1, 0, 1)
    (row,) = body["invoices"]["invoice"]
    assert isinstance(row["id"], int)
    assert row["userid"] == ACME
    assert (row["subtotal"], row["tax"], row["credit"], row["total"]) == (
        "114.80",
        "22.94",
        "10.00",
        "127.74",
    )
    assert (row["taxrate"], row["tax2"], row["taxrate2"]) == ("20.000", "0.00", "0.000")
    assert (row["invoicenum"], row["status"]) == ("INV-2019-0042", "Payment Pending")
    assert (row["currencycode"], row["currencyprefix"], row["currencysuffix"]) == (
        "USD",
        "$",
        " USD",
    )
    assert row["datepaid"] == "0000-00-00 00:00:00"
    assert row["companyname"] == "Acme Widgets Ltd"


async def test_invoices_status_filters(api: Api) -> None:
    unpaid = await api.ok("GetInvoices", userid=str(BOB), status="Unpaid")
    drafts = await api.ok("GetInvoices", userid=str(BOB), status="draft")

    assert unpaid["totalresults"] == 2
    assert {i["status"] for i in unpaid["invoices"]["invoice"]} == {"Unpaid"}
    assert [i["status"] for i in drafts["invoices"]["invoice"]] == ["Draft"]


@pytest.mark.parametrize(
    ("today", "due_dates"),
    [(date(2024, 6, 1), ["2024-02-01"]), (date(2025, 7, 1), ["2024-02-01", "2025-06-09"])],
)
def test_overdue_is_unpaid_past_its_due_date(today: date, due_dates: list[str]) -> None:
    state = SandboxState(today=lambda: today)

    body = get_invoices(state, SandboxConfig(), {"userid": str(BOB), "status": "Overdue"})

    assert sorted(i["duedate"] for i in body["invoices"]["invoice"]) == due_dates
    assert {i["status"] for i in body["invoices"]["invoice"]} == {"Unpaid"}


async def test_invoices_sorted_and_paged(api: Api) -> None:
    first = await api.ok("GetInvoices", userid=str(EMMA), orderby="id", order="desc")
    rest = await api.ok(
        "GetInvoices", userid=str(EMMA), orderby="id", order="desc", limitstart="25"
    )

    ids = [i["id"] for i in first["invoices"]["invoice"] + rest["invoices"]["invoice"]]
    assert (first["totalresults"], first["numreturned"], rest["numreturned"]) == (30, 25, 5)
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 30


async def test_invoices_of_a_client_with_none(api: Api) -> None:
    body = await api.ok("GetInvoices", userid=str(BOB_JONES))

    assert (body["totalresults"], body["numreturned"], body["invoices"]) == (0, 0, {"invoice": []})


# --- GetInvoice -------------------------------------------------------------------------------


async def acme_invoice_id(api: Api) -> int:
    body = await api.ok("GetInvoices", userid=str(ACME))
    return int(body["invoices"]["invoice"][0]["id"])


async def test_invoice_with_lines_payments_and_a_refund(api: Api) -> None:
    invoice_id = await acme_invoice_id(api)

    body = await api.ok("GetInvoice", invoiceid=str(invoice_id))

    only_strings(body, except_=("ccgateway", "items", "transactions"))
    assert (body["invoiceid"], body["userid"]) == (str(invoice_id), "3")
    assert (body["total"], body["balance"]) == ("127.74", "40.08")  # 100.00 in, 12.34 refunded
    lines = body["items"]["item"]
    assert [(line["amount"], line["taxed"]) for line in lines] == [
        ("89.70", "1"),
        ("25.00", "1"),
        ("0.10", "0"),
    ]
    only_strings(lines[0])
    payment, refund = body["transactions"]["transaction"]
    only_strings(payment)
    assert (payment["amountin"], payment["amountout"], payment["transid"]) == (
        "100.00",
        "0.00",
        "BACS-0042-1",
    )
    assert (refund["amountin"], refund["amountout"]) == ("0.00", "12.34")


async def test_invoice_without_payments_has_transactions_as_an_empty_string(api: Api) -> None:
    body = await api.ok("GetInvoices", userid=str(BOB), status="Cancelled")
    invoice_id = body["invoices"]["invoice"][0]["id"]

    invoice = await api.ok("GetInvoice", invoiceid=str(invoice_id))

    assert invoice["transactions"] == ""
    assert invoice["datepaid"] == "0000-00-00 00:00:00"


@pytest.mark.parametrize("invoiceid", ["9999", "0", "", "abc"])
async def test_invoice_not_found(api: Api, invoiceid: str) -> None:
    assert await api.fails("GetInvoice", invoiceid=invoiceid) == "Invoice ID Not Found"


# --- GetOrders --------------------------------------------------------------------------------


async def test_orders_newest_first_with_their_lines(api: Api) -> None:
    body = await api.ok("GetOrders", userid=str(BOB))

    assert (body["totalresults"], body["startnumber"], body["numreturned"]) == (2, 0, 2)
    newest, oldest = body["orders"]["order"]
    assert newest["id"] > oldest["id"]
    assert isinstance(newest["ordernum"], int)
    assert len(str(newest["ordernum"])) == 10
    assert (newest["status"], newest["paymentstatus"], newest["amount"]) == (
        "Pending",
        "Unpaid",
        "35.25",
    )
    assert newest["promocode"] == "SPRING25"
    assert newest["lineitems"]["lineitem"] == [
        {"type": "product", "relid": newest["lineitems"]["lineitem"][0]["relid"],
         "producttype": "VPS/Server", "product": "VPS Small", "domain": "vps.bobsmith.example",
         "billingcycle": "Monthly", "amount": "$24.00 USD", "status": "Pending"},
        {"type": "domain", "relid": newest["lineitems"]["lineitem"][1]["relid"],
         "producttype": "Domain Registration", "product": "Domain Registration",
         "domain": "bob-smith.example", "billingcycle": "1 Year(s)", "amount": "$11.25 USD",
         "status": "Pending Registration"},
    ]  # fmt: skip
    assert all(isinstance(line["relid"], int) for line in newest["lineitems"]["lineitem"])
    assert (oldest["paymentstatus"], oldest["invoiceid"]) == ("Paid", oldest["invoiceid"])


async def test_orders_fraud_output_is_a_json_string(api: Api) -> None:
    body = await api.ok("GetOrders", userid=str(ACME))

    (order,) = body["orders"]["order"]
    assert isinstance(order["fraudoutput"], str)
    assert order["fraudoutput"].startswith('{"is_country_match":"Y"')


async def test_orders_status_filter_and_a_client_with_none(api: Api) -> None:
    pending = await api.ok("GetOrders", status="Pending")
    none = await api.ok("GetOrders", userid=str(BOB_JONES))

    assert {o["status"] for o in pending["orders"]["order"]} == {"Pending"}
    assert (none["totalresults"], none["orders"]) == (0, {"order": []})
