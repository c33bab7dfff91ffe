"""What every module read shares (services, invoices, orders, tickets, domains).

The same guarantees as the client reads: one audit per read, naming the module's entity type and
the owning WHMCS client (decision 30); the cache (generation-checked per WHMCS client); every WHMCS
failure classified into ``WhmcsError``, a missing client, invoice or ticket into
``NotFoundError``; page limits 1 to 100 (a ``BAD_USER_INPUT`` error, as ``whmcsClients``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import strawberry

from graph.context import Info
from graph.inputs import page_bounds, text_bound, unset_to_none, whmcs_id
from integrations.whmcs.sync import module_reads
from integrations.whmcs.sync.module_reads import ModuleRead

__all__ = ["ModuleRead", "PageArgs", "ids", "opt_id", "page_args", "read_module"]

T = TypeVar("T")
#: A status filter names one of WHMCS's statuses (or one its admin defined): short words.
MAX_STATUS = 64


@dataclass(frozen=True, slots=True)
class PageArgs:
    """A module page's arguments, checked: the WHMCS client, the page, the status filter."""

    client_id: int
    offset: int
    limit: int
    status: str | None = None

    @property
    def key(self) -> str:
        return json.dumps([self.client_id, self.offset, self.limit, self.status])


def page_args(
    client_id: strawberry.ID, offset: int, limit: int, status: str | None = None
) -> PageArgs:
    """Checked arguments: bounds are a BAD_USER_INPUT error; an id that cannot be a WHMCS id
    raises RecordNotFound (CLIENT, side WHMCS) without asking WHMCS."""
    page_bounds(offset, limit)
    text = text_bound("status", unset_to_none(status), MAX_STATUS)
    return PageArgs(whmcs_id(client_id), offset, limit, (text or "").strip() or None)


def ids(value: int) -> strawberry.ID:
    return strawberry.ID(str(value))


def opt_id(value: int | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


async def read_module(info: Info, read: ModuleRead, load: Callable[[Any], Awaitable[T]]) -> T:
    """``load`` (a resource call, given the audited WHMCS client) through the cache, audited
    (integrations/whmcs/sync/module_reads.py)."""
    audit = info.context.audit(read.operation, entity_type=read.entity_type)
    return await module_reads.read_module(info.context.bridge, audit, read, load)
