"""Orders and their lines (``GetOrders`` rows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from integrations.whmcs.normalise import (
    as_datetime,
    as_decimal,
    as_int,
    as_list,
    as_opt_str,
    as_ref,
    as_str,
)

__all__ = ["WhmcsOrder", "WhmcsOrderItem"]


@dataclass(frozen=True, slots=True)
class WhmcsOrderItem:
    """One line of an order (``lineitems.lineitem[]``): what the order created."""

    type: str  # "product", "domain", "addon", "upgrade", "renewal", ...
    related_id: int | None  # the service, domain or addon created (``relid``; 0 is none)
    product_type: str | None  # e.g. "Shared Hosting", "Other Product/Service"
    product: str | None
    domain: str | None
    billing_cycle: str | None  # a display string, spelt as GetOrders spells it ("One-Time")
    amount_display: str | None  # formatted by WHMCS with its currency, e.g. "$12.95 USD"
    status: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(
            type=as_str(row.get("type"), "lineitem.type"),
            related_id=as_ref(row.get("relid"), "lineitem.relid"),
            product_type=as_opt_str(row.get("producttype"), "lineitem.producttype"),
            product=as_opt_str(row.get("product"), "lineitem.product"),
            domain=as_opt_str(row.get("domain"), "lineitem.domain"),
            billing_cycle=as_opt_str(row.get("billingcycle"), "lineitem.billingcycle"),
            amount_display=as_opt_str(row.get("amount"), "lineitem.amount"),
            status=as_opt_str(row.get("status"), "lineitem.status"),
        )


@dataclass(frozen=True, slots=True)
class WhmcsOrder:
    """An order. ``client_id`` is WHMCS's ``userid``; the fraud check's output is not kept."""

    id: int
    order_number: str  # the number the customer sees (10 digits; an int in the answer)
    client_id: int
    date: datetime | None
    status: str  # Pending, Active, Fraud, Cancelled or a status the admin defined
    payment_status: str | None  # Paid or Unpaid: the order's invoice
    amount: Decimal
    payment_method: str | None
    payment_method_name: str | None
    invoice_id: int | None
    currency_prefix: str | None
    currency_suffix: str | None
    items: tuple[WhmcsOrderItem, ...]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls(
            id=as_int(row.get("id"), "order.id"),
            order_number=as_str(row.get("ordernum"), "order.ordernum"),
            client_id=as_int(row.get("userid"), "order.userid"),
            date=as_datetime(row.get("date"), "order.date"),
            status=as_str(row.get("status"), "order.status"),
            payment_status=as_opt_str(row.get("paymentstatus"), "order.paymentstatus"),
            amount=as_decimal(row.get("amount"), "order.amount"),
            payment_method=as_opt_str(row.get("paymentmethod"), "order.paymentmethod"),
            payment_method_name=as_opt_str(row.get("paymentmethodname"), "order.paymentmethodname"),
            invoice_id=as_ref(row.get("invoiceid"), "order.invoiceid"),
            currency_prefix=as_opt_str(row.get("currencyprefix"), "order.currencyprefix"),
            currency_suffix=as_opt_str(row.get("currencysuffix"), "order.currencysuffix"),
            items=tuple(
                WhmcsOrderItem.from_row(item)
                for item in as_list(row.get("lineitems"), "lineitem", "order.lineitems")
            ),
        )
