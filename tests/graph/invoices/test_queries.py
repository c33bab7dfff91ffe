"""whmcsInvoices and whmcsInvoice end to end through HTTP against the sandbox."""

from __future__ import annotations

from tests.conftest import Api
from tests.graph.module_documents import INVOICE, INVOICES
from tests.graph.whmcs_reads.support import actions, audit_rows, last_call, read

EMMA = "10"  # 30 paid invoices: more than a page


async def test_an_invoice_with_tax_credit_and_a_number(api: Api) -> None:
    page = await read(api, INVOICES, c="3")

    assert page["items"] == [
        {
            "id": "7",
            "clientId": "3",
            "invoiceNumber": "INV-2019-0042",
            "date": "2019-08-02",
            "dueDate": "2019-08-16",
            "datePaid": None,  # 0000-00-00 00:00:00: not paid
            "status": "Payment Pending",
            "subtotal": "114.80",
            "credit": "10.00",
            "tax": "22.94",
            "tax2": "0.00",
            "total": "127.74",
            "currencyCode": "USD",
            "paymentMethod": "banktransfer",
        }
    ]


async def test_newest_first_and_the_status_filter(api: Api) -> None:
    page = await read(api, INVOICES, c="2")

    assert [(i["id"], i["status"]) for i in page["items"]] == [
        ("6", "Draft"),
        ("5", "Cancelled"),
        ("4", "Unpaid"),
        ("3", "Unpaid"),
        ("2", "Paid"),
    ]
    assert page["items"][0]["invoiceNumber"] is None  # invoicenum "": numbered by id
    call = last_call(api, "GetInvoices")
    assert (call["userid"], call["orderby"], call["order"]) == ("2", "id", "desc")

    unpaid = await read(api, INVOICES, c="2", status="Unpaid")

    assert [i["id"] for i in unpaid["items"]] == ["4", "3"]
    assert last_call(api, "GetInvoices")["status"] == "Unpaid"


async def test_paging_through_more_than_a_page(api: Api) -> None:
    first = await read(api, INVOICES, c=EMMA)
    rest = await read(api, INVOICES, c=EMMA, offset=25)

    assert (first["total"], len(first["items"])) == (30, 25)
    assert (rest["total"], rest["offset"], len(rest["items"])) == (30, 25, 5)
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert len(set(ids)) == 30
    assert [
        (c["limitstart"], c["limitnum"]) for c in api.sandbox.state.calls_for("GetInvoices")
    ] == [
        ("0", "25"),
        ("25", "25"),
    ]


async def test_a_client_with_5000_invoices_is_paged_by_whmcs(api: Api) -> None:
    """Only the page asked for is fetched (limitstart/limitnum), never all of them."""
    for n in range(5000):
        api.sandbox.state.modules.add_invoice(
            userid=4, date="2024-01-01", duedate="2024-01-08", status="Unpaid",
            items=[{"type": "Item", "relid": 0, "amount": "1.00", "description": f"Line {n}"}],
        )  # fmt: skip

    page = await read(api, INVOICES, c="4", offset=4990, limit=10)

    assert (page["total"], page["offset"], page["limit"], len(page["items"])) == (
        5000,
        4990,
        10,
        10,
    )
    (call,) = api.sandbox.state.calls_for("GetInvoices")
    assert (call["limitstart"], call["limitnum"]) == ("4990", "10")
    assert actions(api) == ["GetInvoices"]


async def test_one_invoice_with_its_lines_and_payments(api: Api) -> None:
    detail = await read(api, INVOICE, id="7")

    assert detail["invoice"]["total"] == "127.74"
    assert detail["invoice"]["currencyCode"] is None  # GetInvoice does not say
    assert detail["balance"] == "40.08"  # 127.74 - 100.00 in + 12.34 refunded
    assert detail["lines"] == [
        {
            "id": detail["lines"][0]["id"],
            "type": "Hosting",
            "relatedId": "5",
            "description": "VPS Large - acme-widgets.example (02/08/2019 - 01/02/2020)",
            "amount": "89.70",
            "taxed": True,
        },
        {
            "id": detail["lines"][1]["id"],
            "type": "Setup",
            "relatedId": None,  # relid 0
            "description": "Setup Fee",
            "amount": "25.00",
            "taxed": True,
        },
        {
            "id": detail["lines"][2]["id"],
            "type": "Item",
            "relatedId": None,
            "description": "Rounding test",
            "amount": "0.10",
            "taxed": False,
        },
    ]
    assert [
        (p["transactionId"], p["amount"], p["fees"], p["date"]) for p in detail["payments"]
    ] == [
        ("BACS-0042-1", "100.00", "0.00", "2019-08-05T09:00:00"),
        ("BACS-0042-R", "0.00", "0.00", "2019-08-06T10:30:00"),
    ]
    assert actions(api) == ["GetInvoice"]


async def test_an_invoice_without_payments_and_a_line_typed_by_hand(api: Api) -> None:
    detail = await read(api, INVOICE, id="6")

    assert detail["payments"] == []  # transactions ""
    assert detail["invoice"]["status"] == "Draft"
    (line,) = detail["lines"]
    assert (line["type"], line["relatedId"], line["amount"]) == (None, None, "40.00")


async def test_an_unknown_invoice_is_not_found(api: Api) -> None:
    for invoice_id in ("9999", "abc", "0"):
        result = await read(api, INVOICE, id=invoice_id)
        assert (result["__typename"], result["entityType"], result["id"], result["side"]) == (
            "NotFoundError",
            "INVOICE",
            invoice_id,
            "WHMCS",
        )
    assert actions(api) == ["GetInvoice"]  # "abc" and "0" cannot be ids: WHMCS is not asked


async def test_an_unknown_client_has_no_invoices(api: Api) -> None:
    result = await read(api, INVOICES, c="999")

    assert (result["__typename"], result["entityType"], result["id"]) == (
        "NotFoundError",
        "CLIENT",
        "999",
    )


async def test_one_invoice_is_audited_under_its_client(api: Api) -> None:
    await read(api, INVOICE, id="7")
    await read(api, INVOICES, c="2")

    assert await audit_rows() == [
        ("FETCH", "INVOICE", 3, "GetInvoice", "SUCCESS"),
        ("LIST", "INVOICE", 2, "GetInvoices", "SUCCESS"),
    ]
