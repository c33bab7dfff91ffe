"""The module records from documented WHMCS rows: every normaliser quirk, value by value."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from integrations.whmcs.entities import (
    WhmcsDomain,
    WhmcsInvoice,
    WhmcsInvoiceDetail,
    WhmcsInvoiceLine,
    WhmcsOrder,
    WhmcsOrderItem,
    WhmcsPayment,
    WhmcsService,
    WhmcsTicket,
    WhmcsTicketDetail,
    WhmcsTicketMessage,
    WhmcsTicketNote,
    parse_page,
)
from integrations.whmcs.normalise import WhmcsShapeError
from tests.support.whmcs_module_bodies import (
    SERVICE_PASSWORD,
    TICKET_ACCESS_KEY,
    domain_row,
    invoice_body,
    invoice_row,
    order_row,
    product_row,
    ticket_body,
    ticket_row,
)

EMPTY_LISTS: list[object] = ["", None, {}, [], "missing"]  # "missing": the key is absent


def dt(*parts: int) -> datetime:
    return datetime(*parts)  # type: ignore[arg-type]  # noqa: DTZ001 - WHMCS time is naive


def without(body: dict[str, Any], key: str, value: object) -> dict[str, Any]:
    if value == "missing":
        body.pop(key, None)
    else:
        body[key] = value
    return body


def assert_exact(value: Decimal | None, text: str) -> None:
    assert isinstance(value, Decimal)
    assert str(value) == text


# --- services ---------------------------------------------------------------------------------


def test_service_from_the_documented_row() -> None:
    service = WhmcsService.from_row(product_row(7, 3))

    assert service == WhmcsService(
        id=7, client_id=3, order_id=1, product_id=1, name="Starter",
        group_name="Shared Hosting", domain="demodomain.com", status="Terminated",
        billing_cycle="Monthly", registration_date=date(2015, 1, 1),
        next_due_date=date(2016, 11, 25), first_payment_amount=Decimal("12.95"),
        recurring_amount=Decimal("12.95"), payment_method="authorize",
        payment_method_name="Credit Card", username="demodoma", server_name="Saturn",
        dedicated_ip=None, suspension_reason=None, quantity=1,
    )  # fmt: skip
    assert_exact(service.recurring_amount, "12.95")


def test_service_never_holds_its_password() -> None:
    service = WhmcsService.from_row(product_row())

    assert "password" not in {f.name for f in dataclasses.fields(service)}
    assert SERVICE_PASSWORD not in repr(service)
    assert SERVICE_PASSWORD not in str(dataclasses.asdict(service))


def test_service_quirks() -> None:
    service = WhmcsService.from_row(
        product_row(
            orderid="0",  # added by an admin, not ordered: no order
            firstpaymentamount="",
            recurringamount="0.00",
            nextduedate="0000-00-00",  # a free or one-time service
            regdate="0000-00-00",
            billingcycle="Semi-Annually",  # display strings stay display strings
            domain="",
            groupname="",
            username="",
            qty="3",
        )
    )

    assert service.order_id is None
    assert service.first_payment_amount is None
    assert_exact(service.recurring_amount, "0.00")
    assert (service.next_due_date, service.registration_date) == (None, None)
    assert service.billing_cycle == "Semi-Annually"
    assert (service.domain, service.group_name, service.username) == (None, None, None)
    assert service.quantity == 3


def test_service_before_8_12_has_no_qty_and_int_ids() -> None:
    row = product_row(id=5, clientid=2, pid=9, orderid=4)
    del row["qty"]

    service = WhmcsService.from_row(row)

    assert (service.id, service.client_id, service.product_id, service.order_id) == (5, 2, 9, 4)
    assert service.quantity == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", ""), ("clientid", None), ("recurringamount", "$12.95 USD"), ("regdate", "01/01/2015")],
)
def test_service_shapes_whmcs_does_not_send_fail(field: str, value: object) -> None:
    with pytest.raises(WhmcsShapeError, match=rf"product\.{field}"):
        WhmcsService.from_row({**product_row(), field: value})


# --- invoices ---------------------------------------------------------------------------------


def test_invoice_from_the_documented_getinvoices_row() -> None:
    invoice = WhmcsInvoice.from_row(invoice_row(4, 2))

    assert invoice == WhmcsInvoice(
        id=4, client_id=2, invoice_number=None, date=date(2016, 1, 1),
        due_date=date(2016, 1, 8), date_paid=None, status="Unpaid",
        subtotal=Decimal("15.95"), credit=Decimal("0.00"), tax=Decimal("0.00"),
        tax2=Decimal("0.00"), total=Decimal("15.95"), tax_rate=Decimal("0.000"),
        tax_rate2=Decimal("0.000"), currency_code="USD", payment_method="paypalcheckout",
    )  # fmt: skip
    assert_exact(invoice.tax_rate, "0.000")


def test_invoice_paid_with_a_number() -> None:
    invoice = WhmcsInvoice.from_row(
        invoice_row(datepaid="2016-01-05 10:11:12", invoicenum="INV-0042", status="Paid")
    )

    assert invoice.date_paid == dt(2016, 1, 5, 10, 11, 12)
    assert invoice.invoice_number == "INV-0042"


def test_invoice_detail_from_the_documented_getinvoice_answer() -> None:
    detail = WhmcsInvoiceDetail.from_body(invoice_body(1))

    assert detail.invoice.id == 1
    assert detail.invoice.client_id == 2361  # "userid": the client
    assert detail.invoice.currency_code is None  # GetInvoice does not say
    assert_exact(detail.balance, "15.95")
    assert detail.lines == (
        WhmcsInvoiceLine(
            id=1,
            type="Hosting",
            related_id=1,
            description="Sample Monthly Product (01/01/2016 - 31/01/2016)",
            amount=Decimal("15.95"),
            taxed=False,
        ),
    )
    assert detail.payments == ()  # "transactions": ""


@pytest.mark.parametrize("transactions", [*EMPTY_LISTS, {"transaction": []}])
def test_invoice_without_payments_in_every_shape(transactions: object) -> None:
    body = without(invoice_body(), "transactions", transactions)

    assert WhmcsInvoiceDetail.from_body(body).payments == ()


@pytest.mark.parametrize("items", [*EMPTY_LISTS, {"item": []}])
def test_invoice_without_lines_in_every_shape(items: object) -> None:
    body = without(invoice_body(), "items", items)

    assert WhmcsInvoiceDetail.from_body(body).lines == ()


def test_invoice_with_one_payment_wrapped_as_an_object_and_a_refund() -> None:
    payment = {
        "id": "10", "userid": "1", "currency": "0", "gateway": "paypal",
        "date": "2016-01-01 06:41:11", "description": "Invoice Payment", "amountin": "45.90",
        "fees": "1.63", "amountout": "0.00", "rate": "1.00000",
        "transid": "1479732071aad259f3513ec", "invoiceid": "59", "refundid": "0",
    }  # fmt: skip
    refund = {
        **payment,
        "id": "11",
        "amountin": "0.00",
        "amountout": "5.00",
        "fees": "",
        "transid": "",
    }

    one = WhmcsInvoiceDetail.from_body(invoice_body(transactions={"transaction": payment}))
    two = WhmcsInvoiceDetail.from_body(
        invoice_body(transactions={"transaction": {"0": payment, "1": refund}})
    )

    assert one.payments == (
        WhmcsPayment(
            id=10, transaction_id="1479732071aad259f3513ec", gateway="paypal",
            date=dt(2016, 1, 1, 6, 41, 11), amount=Decimal("45.90"), fees=Decimal("1.63"),
            amount_out=Decimal("0.00"), description="Invoice Payment",
        ),
    )  # fmt: skip
    assert_exact(one.payments[0].amount, "45.90")
    assert [(p.id, p.amount, p.amount_out, p.fees, p.transaction_id) for p in two.payments] == [
        (10, Decimal("45.90"), Decimal("0.00"), Decimal("1.63"), "1479732071aad259f3513ec"),
        (11, Decimal("0.00"), Decimal("5.00"), None, None),
    ]


@pytest.mark.parametrize(
    ("taxed", "expected"), [("0", False), ("1", True), (1, True), (False, False)]
)
def test_invoice_line_taxed_flag_and_a_line_typed_by_hand(taxed: object, expected: bool) -> None:
    line = {
        "id": 9,
        "type": "",
        "relid": 0,
        "description": "Setup",
        "amount": "-5.00",
        "taxed": taxed,
    }

    detail = WhmcsInvoiceDetail.from_body(invoice_body(items={"item": line}))

    assert detail.lines == (
        WhmcsInvoiceLine(
            id=9, type=None, related_id=None, description="Setup", amount=Decimal("-5.00"),
            taxed=expected,
        ),
    )  # fmt: skip


def test_invoice_total_as_a_json_number_parsed_as_decimal() -> None:
    # The transport parses JSON fractions as Decimal; floats never reach the records.
    invoice = WhmcsInvoice.from_row(invoice_row(total=Decimal("15.950")))
    assert_exact(invoice.total, "15.950")
    with pytest.raises(WhmcsShapeError, match=r"invoice\.total"):
        WhmcsInvoice.from_row(invoice_row(total=15.95))


# --- orders -----------------------------------------------------------------------------------


def test_order_from_the_documented_row() -> None:
    order = WhmcsOrder.from_row(order_row(1, 5))

    assert order == WhmcsOrder(
        id=1, order_number="7858259149", client_id=5, date=dt(2020, 9, 23, 13, 59, 35),
        status="Active", payment_status="Paid", amount=Decimal("8.00"),
        payment_method="stripe", payment_method_name="Stripe", invoice_id=1,
        currency_prefix="$", currency_suffix="USD",
        items=(
            WhmcsOrderItem(
                type="product", related_id=1, product_type="Other Product/Service",
                product="SSL Certificates - Rapid SSL", domain="sampledomain.com",
                billing_cycle="One-Time", amount_display="$8.00 USD", status="Active",
            ),
        ),
    )  # fmt: skip
    assert "fraud" not in repr(order).lower()  # the fraud check's output is not kept
    assert "198.51.100.7" not in repr(order)


@pytest.mark.parametrize("lineitems", [*EMPTY_LISTS, {"lineitem": []}])
def test_order_without_lines_in_every_shape(lineitems: object) -> None:
    row = without(order_row(), "lineitems", lineitems)

    assert WhmcsOrder.from_row(row).items == ()


def test_order_without_an_invoice_and_string_ids() -> None:
    order = WhmcsOrder.from_row(
        order_row(id="3", userid="4", invoiceid="0", ordernum="0123456789", paymentstatus="")
    )

    assert (order.id, order.client_id, order.invoice_id) == (3, 4, None)
    assert order.order_number == "0123456789"  # a string number keeps its leading zero
    assert order.payment_status is None


# --- tickets ----------------------------------------------------------------------------------


def test_ticket_from_the_documented_getticketsrow() -> None:
    ticket = WhmcsTicket.from_row(ticket_row(1, 8))

    assert ticket == WhmcsTicket(
        id=1, number="516757", department_id=1, department_name=None, client_id=8,
        name="Cynthia Reilly", email="testuser@whmcs.com", subject="This is a sample ticket",
        status="Answered", priority="Medium", date=dt(2016, 1, 1, 6, 26, 29),
        last_reply=dt(2016, 1, 1, 6, 30, 16), related=None,
    )  # fmt: skip


def test_ticket_never_holds_its_access_key() -> None:
    detail = WhmcsTicketDetail.from_body(ticket_body())

    assert TICKET_ACCESS_KEY not in repr(WhmcsTicket.from_row(ticket_row()))
    assert TICKET_ACCESS_KEY not in repr(detail)


def test_ticket_from_someone_who_is_no_client_never_answered() -> None:
    ticket = WhmcsTicket.from_row(
        ticket_row(userid="0", lastreply="0000-00-00 00:00:00", service="S12", name="")
    )

    assert (ticket.client_id, ticket.last_reply, ticket.related, ticket.name) == (
        None,
        None,
        "S12",
        None,
    )


def test_ticket_detail_thread_opening_message_first_and_notes() -> None:
    detail = WhmcsTicketDetail.from_body(ticket_body(7))

    assert detail.ticket.id == 7
    assert detail.ticket.department_name == "Sample Support Department"
    assert detail.messages == (
        WhmcsTicketMessage(
            id=0, name="Cynthia Reilly", email="testuser@whmcs.com", admin=None,
            date=dt(2016, 1, 1, 6, 26, 29),
            message="Hey, \r\n\r\nThis is the first ticket message!",
        ),
        WhmcsTicketMessage(
            id=1, name=None, email=None, admin="Demo Admin", date=dt(2016, 1, 1, 6, 27, 1),
            message="Hello, \r\n\r\nAn admin reply!",
        ),
    )  # fmt: skip
    assert detail.notes == (
        WhmcsTicketNote(
            id=1, admin="Demo Admin", date=dt(2016, 1, 1, 6, 26, 42),
            message="This is a ticket note",
        ),
    )  # fmt: skip


def test_ticket_thread_is_oldest_first_whatever_repliessort_the_admin_set() -> None:
    body = ticket_body()
    body["replies"]["reply"].reverse()  # repliessort=DESC

    detail = WhmcsTicketDetail.from_body(body)

    assert [m.id for m in detail.messages] == [0, 1]


@pytest.mark.parametrize(
    ("container", "value"),
    [(c, v) for c in ("replies", "notes") for v in EMPTY_LISTS]
    + [("replies", {"reply": []}), ("notes", {"note": []})],
)
def test_ticket_without_replies_or_notes_in_every_shape(container: str, value: object) -> None:
    body = without(ticket_body(), container, value)

    detail = WhmcsTicketDetail.from_body(body)

    assert getattr(detail, "messages" if container == "replies" else "notes") == ()


def test_ticket_message_without_a_date_is_a_shape_error() -> None:
    body = ticket_body()
    body["replies"]["reply"][1]["date"] = "0000-00-00 00:00:00"

    with pytest.raises(WhmcsShapeError, match=r"reply\.date"):
        WhmcsTicketDetail.from_body(body)


# --- domains ----------------------------------------------------------------------------------


def test_domain_from_the_documented_row() -> None:
    domain = WhmcsDomain.from_row(domain_row(2, 6))

    assert domain == WhmcsDomain(
        id=2, client_id=6, order_id=1, domain="whmcs.rocks", registrar="enom",
        registration_type="Register", registration_period_years=1,
        registration_date=date(2016, 1, 1), expiry_date=date(2017, 1, 1),
        next_due_date=date(2016, 1, 1), status="Active",
        first_payment_amount=Decimal("12.95"), recurring_amount=Decimal("12.95"),
        payment_method="authorize", payment_method_name="Credit Card", do_not_renew=False,
        id_protection=True, dns_management=False, email_forwarding=False,
    )  # fmt: skip


def test_domain_pending_registration_quirks() -> None:
    domain = WhmcsDomain.from_row(
        domain_row(
            expirydate="0000-00-00",
            status="Pending Registration",
            donotrenew="1",
            dnsmanagement="on",
            registrar="",
            orderid="0",
            regperiod="",
        )
    )

    assert domain.expiry_date is None
    assert domain.status == "Pending Registration"
    assert (domain.do_not_renew, domain.dns_management) == (True, True)
    assert (domain.registrar, domain.order_id, domain.registration_period_years) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize("flag", ["2", "yes please", 5])
def test_domain_flags_in_a_shape_whmcs_does_not_send_fail(flag: object) -> None:
    with pytest.raises(WhmcsShapeError, match=r"domain\.idprotection"):
        WhmcsDomain.from_row(domain_row(idprotection=flag))


# --- pages ------------------------------------------------------------------------------------

PAGES: list[tuple[str, str, Callable[[Mapping[str, Any]], object], dict[str, Any]]] = [
    ("products", "product", WhmcsService.from_row, product_row()),
    ("invoices", "invoice", WhmcsInvoice.from_row, invoice_row()),
    ("orders", "order", WhmcsOrder.from_row, order_row()),
    ("tickets", "ticket", WhmcsTicket.from_row, ticket_row()),
    ("domains", "domain", WhmcsDomain.from_row, domain_row()),
]


@pytest.mark.parametrize(
    ("container", "singular", "parse", "row"), PAGES, ids=[p[0] for p in PAGES]
)
@pytest.mark.parametrize("empty", ["", None, {}, [], "wrapper"])
def test_empty_pages_in_every_shape(
    container: str, singular: str, parse: Callable[..., object], row: object, empty: object
) -> None:
    body: dict[str, Any] = {"totalresults": "0", "startnumber": 0, "numreturned": 0}
    if empty is not None:
        body[container] = {singular: []} if empty == "wrapper" else empty

    page = parse_page(body, container, singular, parse, offset=0)

    assert (page.items, page.total, page.offset) == ((), 0, 0)


@pytest.mark.parametrize(
    ("container", "singular", "parse", "row"), PAGES, ids=[p[0] for p in PAGES]
)
def test_a_single_wrapped_record_and_string_counts(
    container: str, singular: str, parse: Callable[..., object], row: dict[str, Any]
) -> None:
    body = {"totalresults": "26", "startnumber": "25", container: {singular: row}}

    page = parse_page(body, container, singular, parse, offset=25)

    assert page.items == (parse(row),)
    assert (page.total, page.offset) == (26, 25)


def test_a_page_under_the_wrong_wrapper_is_a_shape_error() -> None:
    with pytest.raises(WhmcsShapeError, match="products"):
        parse_page(
            {"totalresults": 1, "products": {"service": [product_row()]}},
            "products",
            "product",
            WhmcsService.from_row,
            offset=0,
        )
