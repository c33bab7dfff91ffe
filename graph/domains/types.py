"""WhmcsDomain and its page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Self

import strawberry

from graph.whmcs_reads import ids, opt_id
from integrations.whmcs.entities import WhmcsDomain as DomainRecord


@strawberry.type(description="A domain a WHMCS client holds (GetClientsDomains).")
class WhmcsDomain:
    id: strawberry.ID
    client_id: strawberry.ID
    order_id: strawberry.ID | None
    domain: str
    registrar: str | None
    registration_type: str | None = strawberry.field(description="Register or Transfer.")
    registration_period_years: int | None
    registration_date: datetime.date | None
    expiry_date: datetime.date | None
    next_due_date: datetime.date | None
    status: str = strawberry.field(
        description=(
            "Pending, Pending Registration, Pending Transfer, Active, Grace, Redemption, "
            "Expired, Transferred Away, Cancelled or Fraud."
        )
    )
    recurring_amount: Decimal | None
    payment_method: str | None
    do_not_renew: bool
    id_protection: bool
    dns_management: bool
    email_forwarding: bool

    @classmethod
    def from_record(cls, r: DomainRecord) -> Self:
        return cls(
            id=ids(r.id),
            client_id=ids(r.client_id),
            order_id=opt_id(r.order_id),
            domain=r.domain,
            registrar=r.registrar,
            registration_type=r.registration_type,
            registration_period_years=r.registration_period_years,
            registration_date=r.registration_date,
            expiry_date=r.expiry_date,
            next_due_date=r.next_due_date,
            status=r.status,
            recurring_amount=r.recurring_amount,
            payment_method=r.payment_method,
            do_not_renew=r.do_not_renew,
            id_protection=r.id_protection,
            dns_management=r.dns_management,
            email_forwarding=r.email_forwarding,
        )
