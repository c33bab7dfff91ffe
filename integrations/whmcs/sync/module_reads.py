"""Module reads (services, invoices, orders, tickets, domains): WHMCS through the cache, audited.

The same guarantees as the client reads: one audit per read, naming the module's entity type and
the owning WHMCS client (decision 30); the cache (generation-checked per WHMCS client); every WHMCS
failure classified (``WhmcsUnusable``), a missing client, invoice or ticket ``RecordNotFound``.
The GraphQL side (graph/whmcs_reads.py) checks the arguments and maps the errors to union members.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import models
from integrations.whmcs.client import CallRecord, WhmcsClient
from integrations.whmcs.errors import WhmcsError, WhmcsNotFoundError
from integrations.whmcs.sync.audit import Audit
from integrations.whmcs.sync.bridge import Bridge
from integrations.whmcs.sync.errors import RecordNotFound, WhmcsUnusable

__all__ = ["ModuleRead", "read_module"]

T = TypeVar("T")
#: WHMCS's "not found" messages name the record: ``Invoice ID Not Found``.
_ENTITIES = {
    "invoice": models.EntityType.INVOICE,
    "ticket": models.EntityType.TICKET,
}


@dataclass(frozen=True, slots=True)
class ModuleRead:
    """One read: what it is about, how it is cached."""

    entity_type: models.EntityType
    operation: models.SyncOperation
    kind: str  # the cache's kind: "service", "invoice", ...
    key: str  # the read's arguments, for the cache key
    owner: int | None  # the WHMCS client, when the read is one client's
    record_type: Any  # what the cache reads back, e.g. WhmcsPage[WhmcsService]
    record_id: int | None = None  # for a single record: its id (NotFoundError names it)


async def read_module(
    bridge: Bridge, audit: Audit, read: ModuleRead, load: Callable[[WhmcsClient], Awaitable[T]]
) -> T:
    """``load`` (a resource call) through the cache, audited by ``audit``; raises RecordNotFound
    or WhmcsUnusable (both SyncError: the caller makes them union members)."""
    audit.about(whmcs_id=read.owner)
    if bridge.whmcs is None or not bridge.enabled:
        raise WhmcsUnusable.disabled()
    whmcs = bridge.whmcs.with_observer(_observer(audit))
    try:
        return await bridge.cache.read(
            read.kind,
            read.key,
            owner=read.owner,
            load=lambda: load(whmcs),
            record_type=read.record_type,
        )
    except WhmcsNotFoundError as exc:
        entity = _ENTITIES.get(exc.entity or "", models.EntityType.CLIENT)
        if entity is models.EntityType.CLIENT and read.owner is not None:
            raise RecordNotFound(entity, read.owner, "WHMCS") from exc
        if entity is read.entity_type and read.record_id is not None:
            raise RecordNotFound(entity, read.record_id, "WHMCS") from exc
        raise WhmcsUnusable.from_error(exc) from exc
    except WhmcsError as exc:
        raise WhmcsUnusable.from_error(exc) from exc


def _observer(audit: Audit) -> Callable[[CallRecord], Awaitable[None]]:
    """The audit's observer, which first takes the owning client from a single record's answer
    (GetInvoice, GetTicket name it ``userid``) when the read did not know it."""

    async def observe(call: CallRecord) -> None:
        if audit.whmcs_id is None and call.response is not None:
            audit.about(whmcs_id=_owner(call.response.get("userid")))
        await audit.observe(call)

    return observe


def _owner(value: object) -> int | None:
    text = str(value).strip() if isinstance(value, int | str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None
