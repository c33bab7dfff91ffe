"""WhmcsOrder, its lines and its page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Self

import strawberry

from graph.whmcs_reads import ids, opt_id
from integrations.whmcs import entities as e


@strawberry.type
class WhmcsOrderItem:
    type: str = strawberry.field(description="product, domain, addon, upgrade, renewal, ...")
    related_id: strawberry.ID | None = strawberry.field(
        description="The service, domain or addon the line created, when any."
    )
    product: str | None
    domain: str | None
    billing_cycle: str | None
    amount_display: str | None = strawberry.field(
        description='The amount as WHMCS formats it, with its currency (e.g. "$12.95 USD").'
    )
    status: str | None

    @classmethod
    def from_record(cls, r: e.WhmcsOrderItem) -> Self:
        return cls(
            type=r.type,
            related_id=opt_id(r.related_id),
            product=r.product,
            domain=r.domain,
            billing_cycle=r.billing_cycle,
            amount_display=r.amount_display,
            status=r.status,
        )


@strawberry.type(description="An order (GetOrders).")
class WhmcsOrder:
    id: strawberry.ID
    order_number: str
    client_id: strawberry.ID
    date: datetime.datetime | None
    status: str = strawberry.field(
        description="Pending, Active, Fraud, Cancelled, or a status the WHMCS admin defined."
    )
    payment_status: str | None = strawberry.field(
        description="Paid or Unpaid: the order's invoice."
    )
    amount: Decimal
    payment_method: str | None
    invoice_id: strawberry.ID | None
    items: list[WhmcsOrderItem]

    @classmethod
    def from_record(cls, r: e.WhmcsOrder) -> Self:
        return cls(
            id=ids(r.id),
            order_number=r.order_number,
            client_id=ids(r.client_id),
            date=r.date,
            status=r.status,
            payment_status=r.payment_status,
            amount=r.amount,
            payment_method=r.payment_method,
            invoice_id=opt_id(r.invoice_id),
            items=[WhmcsOrderItem.from_record(item) for item in r.items],
        )
