"""Domains a client holds (``GetClientsDomains`` rows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Self

from integrations.whmcs.normalise import (
    as_bool,
    as_date,
    as_int,
    as_opt_decimal,
    as_opt_str,
    as_ref,
    as_str,
)

__all__ = ["WhmcsDomain"]


@dataclass(frozen=True, slots=True)
class WhmcsDomain:
    """A domain (``tbldomains`` row). GetClientsDomains carries no nameservers: those are a
    registrar call (DomainGetNameservers)."""

    id: int
    client_id: int
    order_id: int | None
    domain: str
    registrar: str | None  # the registrar module, e.g. "enom"
    registration_type: str | None  # Register or Transfer
    registration_period_years: int | None
    registration_date: date | None
    expiry_date: date | None  # None until the registrar reports one (0000-00-00)
    next_due_date: date | None
    status: str
    first_payment_amount: Decimal | None
    recurring_amount: Decimal | None
    payment_method: str | None
    payment_method_name: str | None
    do_not_renew: bool
    id_protection: bool
    dns_management: bool
    email_forwarding: bool

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """A record from one ``domains.domain[]`` row (the client is ``userid`` here)."""
        period = row.get("regperiod")
        return cls(
            id=as_int(row.get("id"), "domain.id"),
            client_id=as_int(row.get("userid"), "domain.userid"),
            order_id=as_ref(row.get("orderid"), "domain.orderid"),
            domain=as_str(row.get("domainname"), "domain.domainname"),
            registrar=as_opt_str(row.get("registrar"), "domain.registrar"),
            registration_type=as_opt_str(row.get("regtype"), "domain.regtype"),
            registration_period_years=(
                None if period in (None, "") else as_int(period, "domain.regperiod")
            ),
            registration_date=as_date(row.get("regdate"), "domain.regdate"),
            expiry_date=as_date(row.get("expirydate"), "domain.expirydate"),
            next_due_date=as_date(row.get("nextduedate"), "domain.nextduedate"),
            status=as_str(row.get("status"), "domain.status"),
            first_payment_amount=as_opt_decimal(
                row.get("firstpaymentamount"), "domain.firstpaymentamount"
            ),
            recurring_amount=as_opt_decimal(row.get("recurringamount"), "domain.recurringamount"),
            payment_method=as_opt_str(row.get("paymentmethod"), "domain.paymentmethod"),
            payment_method_name=as_opt_str(
                row.get("paymentmethodname"), "domain.paymentmethodname"
            ),
            do_not_renew=as_bool(row.get("donotrenew"), "domain.donotrenew"),
            id_protection=as_bool(row.get("idprotection"), "domain.idprotection"),
            dns_management=as_bool(row.get("dnsmanagement"), "domain.dnsmanagement"),
            email_forwarding=as_bool(row.get("emailforwarding"), "domain.emailforwarding"),
        )
