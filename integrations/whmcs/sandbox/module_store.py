"""The module records one sandbox holds, and how they are added (by the seed, by tests, by the
control endpoint). Lookups that the actions need live here too."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from .module_records import (
    DomainRecord,
    InvoiceItemRecord,
    InvoiceRecord,
    OrderRecord,
    ServiceRecord,
    TicketNoteRecord,
    TicketRecord,
    TicketReplyRecord,
    TransactionRecord,
)

if TYPE_CHECKING:
    from .state import SandboxState

R = TypeVar("R")

#: Gateways (module name -> display name), as GetPaymentMethods would list them.
PAYMENT_METHODS = {
    "paypal": "PayPal",
    "stripe": "Stripe",
    "banktransfer": "Bank Transfer",
    "mailin": "Mail In Payment",
}
DEPARTMENTS = {1: "General Support", 2: "Billing", 3: "Sales"}
#: Servers services run on: id -> (name, ip, hostname).
SERVERS = {
    1: ("Saturn", "192.0.2.10", "saturn.example.net"),
    2: ("Pluto", "192.0.2.20", "pluto.example.net"),
}
#: Product ids -> the product type GetOrders shows; any other product is "Other Product/Service".
PRODUCT_TYPES = {1: "Shared Hosting", 2: "Shared Hosting", 3: "Reseller Hosting", 4: "VPS/Server"}
#: The admin behind the API credential (for "My Flagged Tickets").
API_ADMIN_ID = 1
KINDS = ("service", "invoice", "order", "ticket", "domain")
_KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"


class RecordError(ValueError):
    """A record that cannot be added (unknown field, bad value, unknown client)."""


def _coerce(kind: str, type_name: str, value: Any) -> Any:
    try:
        if type_name == "Decimal":
            if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
                raise TypeError
            return Decimal(value)
        if type_name == "int":
            if isinstance(value, bool):
                raise TypeError
            return int(value)
        if type_name == "bool":
            if not isinstance(value, bool):
                raise TypeError
            return value
        if type_name == "str":
            if not isinstance(value, str):
                raise TypeError
            return value
    except (TypeError, ValueError, InvalidOperation):
        raise RecordError(f"{kind}: {value!r} is not a {type_name}") from None
    return value


def _build(cls: type[R], kind: str, record_id: int, fields: Mapping[str, Any]) -> R:
    """A record of ``cls`` from WHMCS-named fields; values are coerced to the field types."""
    known = {f.name: str(f.type) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(fields) - set(known) - {"id"})
    if unknown:
        raise RecordError(f"{kind}: unknown field(s) {', '.join(unknown)}")
    values = {name: _coerce(f"{kind}.{name}", known[name], v) for name, v in fields.items()}
    values["id"] = record_id
    try:
        return cls(**values)
    except TypeError as exc:  # a required field is missing
        raise RecordError(f"{kind}: {exc}") from None


def _owner(record: Any) -> int:
    return int(record.clientid if isinstance(record, ServiceRecord) else record.userid)


def _code(seed: str, length: int, alphabet: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


class ModuleStore:
    """Services, invoices, orders, tickets and domains, keyed by id."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self.services: dict[int, ServiceRecord] = {}
        self.invoices: dict[int, InvoiceRecord] = {}
        self.orders: dict[int, OrderRecord] = {}
        self.tickets: dict[int, TicketRecord] = {}
        self.domains: dict[int, DomainRecord] = {}
        #: Departments the API admin is assigned to: GetTickets shows only theirs unless
        #: ignore_dept_assignments is set.
        self.admin_departments: set[int] = {1}
        self._next: dict[str, int] = {}

    def clear(self) -> None:
        for table in (self.services, self.invoices, self.orders, self.tickets, self.domains):
            table.clear()
        self.admin_departments = {1}
        self._next.clear()

    def _id(self, kind: str) -> int:
        self._next[kind] = self._next.get(kind, 0) + 1
        return self._next[kind]

    def _client(self, kind: str, client_id: Any, *, guest_ok: bool = False) -> None:
        if guest_ok and client_id == 0:
            return
        if not isinstance(client_id, int) or self._state.get_client(client_id) is None:
            raise RecordError(f"{kind}: no client {client_id!r}")

    # --- adding ------------------------------------------------------------------------------

    def add_service(self, **fields: Any) -> ServiceRecord:
        service = _build(ServiceRecord, "service", self._id("service"), fields)
        self._client("service", service.clientid)
        self.services[service.id] = service
        return service

    def add_domain(self, **fields: Any) -> DomainRecord:
        domain = _build(DomainRecord, "domain", self._id("domain"), fields)
        self._client("domain", domain.userid)
        self.domains[domain.id] = domain
        return domain

    def add_invoice(
        self,
        *,
        items: Iterable[Mapping[str, Any]] = (),
        transactions: Iterable[Mapping[str, Any]] = (),
        **fields: Any,
    ) -> InvoiceRecord:
        invoice = _build(InvoiceRecord, "invoice", self._id("invoice"), fields)
        self._client("invoice", invoice.userid)
        invoice.items = [
            _build(InvoiceItemRecord, "invoice item", self._id("item"), item) for item in items
        ]
        invoice.transactions = [
            _build(TransactionRecord, "transaction", self._id("transaction"), t)
            for t in transactions
        ]
        if invoice.created_at.startswith("0000"):
            invoice.created_at = f"{invoice.date} 09:00:00"
        self.invoices[invoice.id] = invoice
        return invoice

    def add_order(self, **fields: Any) -> OrderRecord:
        order_id = self._id("order")
        fields = {"ordernum": int(_code(f"order-{order_id}", 10, "123456789")), **fields}
        order = _build(OrderRecord, "order", order_id, fields)
        self._client("order", order.userid)
        self.orders[order.id] = order
        return order

    def add_ticket(
        self,
        *,
        replies: Iterable[Mapping[str, Any]] = (),
        notes: Iterable[Mapping[str, Any]] = (),
        **fields: Any,
    ) -> TicketRecord:
        ticket_id = self._id("ticket")
        defaults: dict[str, Any] = {
            "tid": _code(f"ticket-{ticket_id}", 6, "0123456789"),
            "c": _code(
                f"ticket-key-{ticket_id}",
                8,
                "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789",
            ),
        }
        client = self._state.get_client(fields.get("userid", 0))
        if client is not None:
            defaults |= {"name": client.fullname, "email": client.email}
        ticket = _build(TicketRecord, "ticket", ticket_id, {**defaults, **fields})
        self._client("ticket", ticket.userid, guest_ok=True)
        if ticket.deptid not in DEPARTMENTS:
            raise RecordError(f"ticket: no department {ticket.deptid}")
        ticket.replies = [
            _build(TicketReplyRecord, "ticket reply", self._id("reply"), reply) for reply in replies
        ]
        ticket.notes = [_build(TicketNoteRecord, "ticket note", self._id("note"), n) for n in notes]
        self.tickets[ticket.id] = ticket
        return ticket

    def add(self, kind: str, fields: Mapping[str, Any]) -> Any:
        """Add a record of ``kind`` (one of :data:`KINDS`); nested lists (``items``,
        ``transactions``, ``replies``, ``notes``) are lists of field objects."""
        adders: dict[str, Callable[..., Any]] = {
            "service": self.add_service,
            "invoice": self.add_invoice,
            "order": self.add_order,
            "ticket": self.add_ticket,
            "domain": self.add_domain,
        }
        if kind not in adders:
            raise RecordError(f"unknown record kind {kind!r} (one of {', '.join(KINDS)})")
        return adders[kind](**fields)

    def drop_client(self, client_id: int) -> None:
        """Remove everything of a deleted client (DeleteClient removes all its data)."""
        for table in (self.services, self.invoices, self.orders, self.tickets, self.domains):
            for record_id in [k for k, r in table.items() if _owner(r) == client_id]:
                del table[record_id]

    # --- lookups -----------------------------------------------------------------------------

    def order_lines(self, order_id: int) -> list[ServiceRecord | DomainRecord]:
        """What an order created: its services, then its domains, by id."""
        services = [s for _, s in sorted(self.services.items()) if s.orderid == order_id]
        domains = [d for _, d in sorted(self.domains.items()) if d.orderid == order_id]
        return [*services, *domains]
