"""WhmcsInvoice, its page, and one invoice with its lines and payments."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Self

import strawberry

from graph.whmcs_reads import ids, opt_id
from integrations.whmcs import entities as e


@strawberry.type(description="An invoice (GetInvoices).")
class WhmcsInvoice:
    id: strawberry.ID
    client_id: strawberry.ID
    invoice_number: str | None = strawberry.field(
        description="The number the customer sees; null when WHMCS numbers invoices by id."
    )
    date: datetime.date | None
    due_date: datetime.date | None
    date_paid: datetime.datetime | None = strawberry.field(description="Null while unpaid.")
    status: str = strawberry.field(
        description=("Draft, Unpaid, Paid, Cancelled, Refunded, Collections or Payment Pending.")
    )
    subtotal: Decimal
    credit: Decimal
    tax: Decimal
    tax2: Decimal
    total: Decimal
    currency_code: str | None = strawberry.field(description="ISO 4217, e.g. USD, when WHMCS says.")
    payment_method: str | None

    @classmethod
    def from_record(cls, r: e.WhmcsInvoice) -> Self:
        return cls(
            id=ids(r.id),
            client_id=ids(r.client_id),
            invoice_number=r.invoice_number,
            date=r.date,
            due_date=r.due_date,
            date_paid=r.date_paid,
            status=r.status,
            subtotal=r.subtotal,
            credit=r.credit,
            tax=r.tax,
            tax2=r.tax2,
            total=r.total,
            currency_code=r.currency_code,
            payment_method=r.payment_method,
        )


@strawberry.type
class WhmcsInvoiceLine:
    id: strawberry.ID
    type: str | None = strawberry.field(
        description="What the line bills, e.g. Hosting, Domain, Item."
    )
    related_id: strawberry.ID | None = strawberry.field(
        description="The id of the service, domain or other record the line bills, when any."
    )
    description: str
    amount: Decimal
    taxed: bool

    @classmethod
    def from_record(cls, r: e.WhmcsInvoiceLine) -> Self:
        return cls(
            id=ids(r.id),
            type=r.type,
            related_id=opt_id(r.related_id),
            description=r.description,
            amount=r.amount,
            taxed=r.taxed,
        )


@strawberry.type
class WhmcsPayment:
    id: strawberry.ID
    transaction_id: str | None = strawberry.field(description="The gateway's transaction id.")
    gateway: str | None
    date: datetime.datetime | None
    amount: Decimal
    fees: Decimal | None

    @classmethod
    def from_record(cls, r: e.WhmcsPayment) -> Self:
        return cls(
            id=ids(r.id),
            transaction_id=r.transaction_id,
            gateway=r.gateway,
            date=r.date,
            amount=r.amount,
            fees=r.fees,
        )


@strawberry.type(description="One invoice with its lines and payments (GetInvoice).")
class WhmcsInvoiceDetail:
    invoice: WhmcsInvoice
    balance: Decimal = strawberry.field(description="What is still due.")
    lines: list[WhmcsInvoiceLine]
    payments: list[WhmcsPayment]

    @classmethod
    def from_record(cls, r: e.WhmcsInvoiceDetail) -> Self:
        return cls(
            invoice=WhmcsInvoice.from_record(r.invoice),
            balance=r.balance,
            lines=[WhmcsInvoiceLine.from_record(line) for line in r.lines],
            payments=[WhmcsPayment.from_record(p) for p in r.payments],
        )
