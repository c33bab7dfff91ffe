"""What the WHMCS side knows about each entity kind, in one place.

One :class:`WhmcsEntity` per kind (``"client"``, ``"service"``, ...): the resource on
:class:`~integrations.whmcs.client.WhmcsClient` that reads and writes it, its record type and
normaliser, the WHMCS actions it sends, the key of a create answer that holds the new id, and its
cache namespace with the codec of its cached values. Generic code (the cache, the audit, the
sync machinery) reads these facts instead of naming a kind. Kinds are plain strings here: this
side knows nothing of ``models`` (``sync/registry.py`` ties them to ``EntityType``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from integrations.whmcs.entities import (
    WhmcsDomain,
    WhmcsInvoice,
    WhmcsInvoiceDetail,
    WhmcsOrder,
    WhmcsPage,
    WhmcsService,
    WhmcsTicket,
    WhmcsTicketDetail,
)
from integrations.whmcs.entities.codec import from_json, to_json
from integrations.whmcs.records import WhmcsClientPage, WhmcsClientRecord
from integrations.whmcs.resources import (
    ClientsResource,
    DomainsResource,
    InvoicesResource,
    OrdersResource,
    ServicesResource,
    TicketsResource,
)

__all__ = ["WHMCS_ENTITIES", "CreateAnswer", "WhmcsEntity", "created_id", "whmcs_entity"]


@dataclass(frozen=True, slots=True)
class CreateAnswer:
    """Where the id of a new record is in the answer of the action that creates it."""

    action: str  # e.g. AddClient
    id_key: str  # e.g. clientid


@dataclass(frozen=True, slots=True)
class WhmcsEntity:
    kind: str  # "client": the cache namespace (keys "client:...", generation "gen:clients")
    resource: str  # the attribute of WhmcsClient: whmcs.clients
    resource_type: type
    record: type  # one record as lists carry it
    page: Any  # what a list read returns (WhmcsClientPage, WhmcsPage[WhmcsService], ...)
    detail: type | None  # one record read on its own, when WHMCS has such a read
    normalise: Callable[[Mapping[str, Any]], Any]  # a WHMCS row -> record
    reads: tuple[str, ...]  # the WHMCS actions the bridge sends to read it
    writes: tuple[str, ...] = ()  # ... and to write it
    create: CreateAnswer | None = None
    owned: bool = True  # records belong to one WHMCS client: cached under its generation
    dump: Callable[[Any], Any] = to_json  # the cache's codec
    load: Callable[[Any, Any], Any] = from_json


WHMCS_ENTITIES: dict[str, WhmcsEntity] = {
    e.kind: e
    for e in (
        WhmcsEntity(
            kind="client",
            resource="clients",
            resource_type=ClientsResource,
            record=WhmcsClientRecord,
            page=WhmcsClientPage,
            detail=WhmcsClientRecord,
            normalise=WhmcsClientRecord.from_details,
            reads=("GetClients", "GetClientsDetails"),
            writes=("AddClient", "UpdateClient"),
            create=CreateAnswer("AddClient", "clientid"),
            owned=False,  # a client owns itself: its own generation is gen:client:{id}
        ),
        WhmcsEntity(
            kind="service",
            resource="services",
            resource_type=ServicesResource,
            record=WhmcsService,
            page=WhmcsPage[WhmcsService],
            detail=None,
            normalise=WhmcsService.from_row,
            reads=("GetClientsProducts", "GetClientsDetails"),
            create=CreateAnswer("AddOrder", "serviceids"),  # only AddOrder creates services
        ),
        WhmcsEntity(
            kind="invoice",
            resource="invoices",
            resource_type=InvoicesResource,
            record=WhmcsInvoice,
            page=WhmcsPage[WhmcsInvoice],
            detail=WhmcsInvoiceDetail,
            normalise=WhmcsInvoice.from_row,
            reads=("GetInvoices", "GetInvoice", "GetClientsDetails"),
            create=CreateAnswer("CreateInvoice", "invoiceid"),
        ),
        WhmcsEntity(
            kind="order",
            resource="orders",
            resource_type=OrdersResource,
            record=WhmcsOrder,
            page=WhmcsPage[WhmcsOrder],
            detail=None,
            normalise=WhmcsOrder.from_row,
            reads=("GetOrders", "GetClientsDetails"),
            create=CreateAnswer("AddOrder", "orderid"),
        ),
        WhmcsEntity(
            kind="ticket",
            resource="tickets",
            resource_type=TicketsResource,
            record=WhmcsTicket,
            page=WhmcsPage[WhmcsTicket],
            detail=WhmcsTicketDetail,
            normalise=WhmcsTicket.from_row,
            reads=("GetTickets", "GetTicket", "GetClientsDetails"),
            create=CreateAnswer("OpenTicket", "id"),
        ),
        WhmcsEntity(
            kind="domain",
            resource="domains",
            resource_type=DomainsResource,
            record=WhmcsDomain,
            page=WhmcsPage[WhmcsDomain],
            detail=None,
            normalise=WhmcsDomain.from_row,
            reads=("GetClientsDomains", "GetClientsDetails"),
            create=CreateAnswer("AddOrder", "domainids"),  # only AddOrder creates domains
        ),
    )
}


def whmcs_entity(kind: str) -> WhmcsEntity:
    """The entry of ``kind``; KeyError names the kinds there are."""
    try:
        return WHMCS_ENTITIES[kind]
    except KeyError:
        raise KeyError(f"No WHMCS entity {kind!r} (known: {', '.join(WHMCS_ENTITIES)})") from None


def created_id(kind: str | None, action: str, answer_value: Callable[[str], Any]) -> int | None:
    """The id of the record ``action`` created, when it is the create action of ``kind`` and
    its answer names one id (a positive 32-bit number; a list such as "1,2" names none).

    ``answer_value(key)`` is the answer's value at ``key`` (None without one), asked only of a
    create's answer: a read's answer is never looked at (nor copied) for it."""
    entity = WHMCS_ENTITIES.get(kind) if kind is not None else None
    if entity is None or entity.create is None or entity.create.action != action:
        return None
    value = answer_value(entity.create.id_key)
    text = (
        str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    )
    # isascii: "²".isdigit() holds too. Past the id column's range is no id either.
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if number < 2**31 else None
