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
from integrations.whmcs.errors import WhmcsNotFoundError
from integrations.whmcs.sync.audit import Audit
from integrations.whmcs.sync.bridge import Bridge
from integrations.whmcs.sync.errors import RecordNotFound, WhmcsUnusable
from integrations.whmcs.sync.reads import WhmcsReads

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
    key: str  # the read's arguments, for the cache key
    owner: int | None  # the WHMCS client, when the read is one client's
    record_type: Any  # what the cache reads back, e.g. WhmcsPage[WhmcsService]
    record_id: int | None = None  # for a single record: its id (NotFoundError names it)


async def read_module(
    bridge: Bridge, audit: Audit, read: ModuleRead, load: Callable[[WhmcsClient], Awaitable[T]]
) -> T:
    """``load`` (a resource call) through the cache (``WhmcsReads.cached``: the entity's cache
    kind from the registry, a WHMCS failure as WhmcsUnusable), audited by ``audit``; WHMCS's
    "not found" of the owning client, or of the record read, is RecordNotFound."""
    audit.about(whmcs_id=read.owner)
    whmcs = bridge.whmcs if bridge.enabled else None
    reads = WhmcsReads(
        whmcs=whmcs.with_observer(_observer(audit)) if whmcs is not None else None,
        cache=bridge.cache,
    )
    client = reads.whmcs  # WhmcsUnusable when the integration is off
    try:
        return await reads.cached(
            read.entity_type,
            read.key,
            owner=read.owner,
            load=lambda: load(client),
            record_type=read.record_type,
        )
    except WhmcsUnusable as exc:
        cause = exc.__cause__
        if isinstance(cause, WhmcsNotFoundError):
            entity = _ENTITIES.get(cause.entity or "", models.EntityType.CLIENT)
            if entity is models.EntityType.CLIENT and read.owner is not None:
                raise RecordNotFound(entity, read.owner, "WHMCS") from cause
            if entity is read.entity_type and read.record_id is not None:
                raise RecordNotFound(entity, read.record_id, "WHMCS") from cause
        raise


def _observer(audit: Audit) -> Callable[[CallRecord], Awaitable[None]]:
    """The audit's observer, which first takes the owning client from a single record's answer
    (GetInvoice, GetTicket name it ``userid``) when the read did not know it."""

    async def observe(call: CallRecord) -> None:
        if audit.whmcs_id is None:  # (without copying the whole answer for one value)
            audit.about(whmcs_id=_owner(call.response_value("userid")))
        await audit.observe(call)

    return observe


def _owner(value: object) -> int | None:
    text = str(value).strip() if isinstance(value, int | str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None
