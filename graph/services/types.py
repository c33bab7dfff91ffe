"""WhmcsService and its page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Self

import strawberry

from graph.whmcs_reads import ids, opt_id
from integrations.whmcs.entities import WhmcsService as ServiceRecord


@strawberry.type(
    description=(
        "A product or service a WHMCS client holds (GetClientsProducts). Amounts are in the "
        "client's currency."
    )
)
class WhmcsService:
    id: strawberry.ID
    client_id: strawberry.ID
    order_id: strawberry.ID | None
    product_id: strawberry.ID
    name: str = strawberry.field(description="The product's name as WHMCS shows it.")
    group_name: str | None
    domain: str | None
    status: str = strawberry.field(
        description="Pending, Active, Suspended, Terminated, Cancelled, Fraud or Completed."
    )
    billing_cycle: str = strawberry.field(
        description=(
            "As WHMCS shows it: Monthly, Quarterly, Semi-Annually, Annually, Biennially, "
            "Triennially, One Time, Free Account."
        )
    )
    registration_date: datetime.date | None
    next_due_date: datetime.date | None
    first_payment_amount: Decimal | None
    recurring_amount: Decimal | None
    payment_method: str | None
    username: str | None
    server_name: str | None
    dedicated_ip: str | None
    suspension_reason: str | None

    @classmethod
    def from_record(cls, r: ServiceRecord) -> Self:
        return cls(
            id=ids(r.id),
            client_id=ids(r.client_id),
            order_id=opt_id(r.order_id),
            product_id=ids(r.product_id),
            name=r.name,
            group_name=r.group_name,
            domain=r.domain,
            status=r.status,
            billing_cycle=r.billing_cycle,
            registration_date=r.registration_date,
            next_due_date=r.next_due_date,
            first_payment_amount=r.first_payment_amount,
            recurring_amount=r.recurring_amount,
            payment_method=r.payment_method,
            username=r.username,
            server_name=r.server_name,
            dedicated_ip=r.dedicated_ip,
            suspension_reason=r.suspension_reason,
        )
