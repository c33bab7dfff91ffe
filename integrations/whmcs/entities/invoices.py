"""Invoices (``GetInvoices`` rows) and one invoice with its lines and payments (``GetInvoice``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self

from integrations.whmcs.normalise import (
    as_bool,
    as_date,
    as_datetime,
    as_decimal,
    as_int,
    as_list,
    as_opt_decimal,
    as_opt_str,
    as_ref,
    as_str,
)

__all__ = ["WhmcsInvoice", "WhmcsInvoiceDetail", "WhmcsInvoiceLine", "WhmcsPayment"]


@dataclass(frozen=True, slots=True)
class WhmcsInvoice:
    """An invoice. ``client_id`` is WHMCS's ``userid`` (invoices name the client so)."""

    id: int
    client_id: int
    invoice_number: str | None  # None unless sequential numbering is on
    date: dt.date | None
    due_date: dt.date | None
    date_paid: dt.datetime | None
    status: str
    subtotal: Decimal
    credit: Decimal
    tax: Decimal
    tax2: Decimal
    total: Decimal
    tax_rate: Decimal | None
    tax_rate2: Decimal | None
    currency_code: str | None  # GetInvoices says; GetInvoice does not
    payment_method: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """A record from one ``invoices.invoice[]`` row or the top level of ``GetInvoice``
        (which names the id ``invoiceid``)."""
        invoice_id = row.get("id") if row.get("id") is not None else row.get("invoiceid")
        return cls(
            id=as_int(invoice_id, "invoice.id"),
            client_id=as_int(row.get("userid"), "invoice.userid"),
            invoice_number=as_opt_str(row.get("invoicenum"), "invoice.invoicenum"),
            date=as_date(row.get("date"), "invoice.date"),
            due_date=as_date(row.get("duedate"), "invoice.duedate"),
            date_paid=as_datetime(row.get("datepaid"), "invoice.datepaid"),
            status=as_str(row.get("status"), "invoice.status"),
            subtotal=as_decimal(row.get("subtotal"), "invoice.subtotal"),
            credit=as_decimal(row.get("credit"), "invoice.credit"),
            tax=as_decimal(row.get("tax"), "invoice.tax"),
            tax2=as_decimal(row.get("tax2"), "invoice.tax2"),
            total=as_decimal(row.get("total"), "invoice.total"),
            tax_rate=as_opt_decimal(row.get("taxrate"), "invoice.taxrate"),
            tax_rate2=as_opt_decimal(row.get("taxrate2"), "invoice.taxrate2"),
            currency_code=as_opt_str(row.get("currencycode"), "invoice.currencycode"),
            payment_method=as_opt_str(row.get("paymentmethod"), "invoice.paymentmethod"),
        )


@dataclass(frozen=True, slots=True)
class WhmcsInvoiceLine:
    """One line of an invoice (``items.item[]``)."""

    id: int
    type: str | None  # "Hosting", "Domain", "Item", ...; None for a line typed by hand
    related_id: int | None  # the service, domain or other record billed (``relid``; 0 is none)
    description: str
    amount: Decimal
    taxed: bool

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(
            id=as_int(row.get("id"), "item.id"),
            type=as_opt_str(row.get("type"), "item.type"),
            related_id=as_ref(row.get("relid"), "item.relid"),
            description=as_str(row.get("description"), "item.description"),
            amount=as_decimal(row.get("amount"), "item.amount"),
            taxed=as_bool(row.get("taxed"), "item.taxed"),
        )


@dataclass(frozen=True, slots=True)
class WhmcsPayment:
    """A transaction booked against an invoice (``transactions.transaction[]``).

    ``amount`` is what came in, ``amount_out`` what went back (a refund is a transaction of
    its own with ``amount_out`` set).
    """

    id: int
    transaction_id: str | None  # the gateway's id (``transid``)
    gateway: str | None
    date: dt.datetime | None
    amount: Decimal
    fees: Decimal | None
    amount_out: Decimal
    description: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(
            id=as_int(row.get("id"), "transaction.id"),
            transaction_id=as_opt_str(row.get("transid"), "transaction.transid"),
            gateway=as_opt_str(row.get("gateway"), "transaction.gateway"),
            date=as_datetime(row.get("date"), "transaction.date"),
            amount=as_decimal(row.get("amountin", "0"), "transaction.amountin"),
            fees=as_opt_decimal(row.get("fees"), "transaction.fees"),
            amount_out=as_decimal(row.get("amountout", "0"), "transaction.amountout"),
            description=as_opt_str(row.get("description"), "transaction.description"),
        )


@dataclass(frozen=True, slots=True)
class WhmcsInvoiceDetail:
    """One invoice with what is still due, its lines and its payments (``GetInvoice``)."""

    invoice: WhmcsInvoice
    balance: Decimal
    lines: tuple[WhmcsInvoiceLine, ...]
    payments: tuple[WhmcsPayment, ...]

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Self:
        """From a ``GetInvoice`` answer: ``transactions`` is ``""`` when there are none."""
        return cls(
            invoice=WhmcsInvoice.from_row(body),
            balance=as_decimal(body.get("balance"), "balance"),
            lines=tuple(
                WhmcsInvoiceLine.from_row(row) for row in as_list(body.get("items"), "item")
            ),
            payments=tuple(
                WhmcsPayment.from_row(row)
                for row in as_list(body.get("transactions"), "transaction")
            ),
        )
