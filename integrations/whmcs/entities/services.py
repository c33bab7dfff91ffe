"""A product or service a client holds (``GetClientsProducts`` rows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Self

from integrations.whmcs.normalise import (
    as_date,
    as_int,
    as_opt_decimal,
    as_opt_str,
    as_ref,
    as_str,
)

__all__ = ["WhmcsService"]


@dataclass(frozen=True, slots=True)
class WhmcsService:
    """A service (``tblhosting`` row): amounts in the client's currency, which WHMCS omits here.

    The service's ``password`` (WHMCS sends it decrypted) is never read into the record.
    """

    id: int
    client_id: int
    order_id: int | None
    product_id: int
    name: str
    group_name: str | None
    domain: str | None
    status: str
    billing_cycle: str  # a display string: "Monthly", "Semi-Annually", "One Time", "Free Account"
    registration_date: date | None
    next_due_date: date | None
    first_payment_amount: Decimal | None
    recurring_amount: Decimal | None
    payment_method: str | None  # the gateway's system name, e.g. "paypal"
    payment_method_name: str | None  # its display name, e.g. "PayPal"
    username: str | None
    server_name: str | None
    dedicated_ip: str | None
    suspension_reason: str | None
    quantity: int = 1

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """A record from one ``products.product[]`` row."""
        return cls(
            id=as_int(row.get("id"), "product.id"),
            client_id=as_int(row.get("clientid"), "product.clientid"),
            order_id=as_ref(row.get("orderid"), "product.orderid"),
            product_id=as_int(row.get("pid"), "product.pid"),
            name=as_str(row.get("name"), "product.name"),
            group_name=as_opt_str(row.get("groupname"), "product.groupname"),
            domain=as_opt_str(row.get("domain"), "product.domain"),
            status=as_str(row.get("status"), "product.status"),
            billing_cycle=as_str(row.get("billingcycle"), "product.billingcycle"),
            registration_date=as_date(row.get("regdate"), "product.regdate"),
            next_due_date=as_date(row.get("nextduedate"), "product.nextduedate"),
            first_payment_amount=as_opt_decimal(
                row.get("firstpaymentamount"), "product.firstpaymentamount"
            ),
            recurring_amount=as_opt_decimal(row.get("recurringamount"), "product.recurringamount"),
            payment_method=as_opt_str(row.get("paymentmethod"), "product.paymentmethod"),
            payment_method_name=as_opt_str(
                row.get("paymentmethodname"), "product.paymentmethodname"
            ),
            username=as_opt_str(row.get("username"), "product.username"),
            server_name=as_opt_str(row.get("servername"), "product.servername"),
            dedicated_ip=as_opt_str(row.get("dedicatedip"), "product.dedicatedip"),
            suspension_reason=as_opt_str(row.get("suspensionreason"), "product.suspensionreason"),
            # qty arrived in 8.12; before it a service is always one.
            quantity=as_int(row.get("qty", 1), "product.qty"),
        )
