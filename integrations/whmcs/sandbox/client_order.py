"""GetClients' filtered and sorted clients, kept from one call to the next while no client
changes: a walk over 10,000 clients, page after page, sorts them once, not once a page.

Kept per state and per (orderby, sorting, status, search); thrown away as soon as the state's
clients are not the very same objects in the same order (one added, deleted, replaced, the
whole dict swapped by ``restore``) or any client's field was set since (``client_edits``,
however it was set). The answer is then exactly the one computed afresh.
"""

from __future__ import annotations

import operator
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from .records import ClientRecord, client_edits
from .state import SandboxState

Key = tuple[str, bool, str, str]  # orderby, descending, status, search
MAX_ORDERS = 8  # distinct queries kept per state (a walk needs one)


@dataclass(slots=True)
class _Orders:
    members: list[ClientRecord] = field(default_factory=list)
    edits: int = -1
    by_key: OrderedDict[Key, list[ClientRecord]] = field(default_factory=OrderedDict)


_ORDERS: weakref.WeakKeyDictionary[SandboxState, _Orders] = weakref.WeakKeyDictionary()


def ordered_clients(
    state: SandboxState, key: Key, compute: Callable[[], list[ClientRecord]]
) -> list[ClientRecord]:
    """``compute()``'s answer for ``key``, reused while the clients are unchanged."""
    orders = _ORDERS.get(state)
    if orders is None:
        orders = _ORDERS[state] = _Orders()
    members = list(state.clients.values())
    edits = client_edits()
    if edits != orders.edits or not _same_objects(members, orders.members):
        orders.by_key.clear()
        orders.members, orders.edits = members, edits
    rows = orders.by_key.get(key)
    if rows is None:
        rows = orders.by_key[key] = compute()
        while len(orders.by_key) > MAX_ORDERS:
            orders.by_key.popitem(last=False)
    else:
        orders.by_key.move_to_end(key)
    return rows


def _same_objects(a: list[ClientRecord], b: list[ClientRecord]) -> bool:
    return len(a) == len(b) and all(map(operator.is_, a, b))
