"""DataLoaders: one query per relation per request, answered in key order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

import models
from integrations.whmcs.sync.store import LocalClient, LocalId, LocalStore
from integrations.whmcs.sync.stores.builtin import BuiltinClientStore


async def _links_by_local_id(keys: Sequence[LocalId]) -> list[models.SyncMap | None]:
    rows = await models.SyncMap.filter(entity_type=models.EntityType.CLIENT, local_id__in=keys)
    by_key = {row.local_id: row for row in rows}
    return [by_key.get(key) for key in keys]


async def _links_by_whmcs_id(keys: Sequence[int]) -> list[models.SyncMap | None]:
    rows = await models.SyncMap.filter(entity_type=models.EntityType.CLIENT, whmcs_id__in=keys)
    by_key = {row.whmcs_id: row for row in rows}
    return [by_key.get(key) for key in keys]


async def _clients_by_id(keys: Sequence[int]) -> list[models.Client | None]:
    rows = await models.Client.filter(id__in=keys)
    by_key = {row.id: row for row in rows}
    return [by_key.get(key) for key in keys]


def _clients_in(store: LocalStore) -> DataLoader[LocalId, models.Client | LocalClient | None]:
    """Local clients by id: one query for the built-in table; one lookup per id in another
    store (an application's table)."""

    async def load(keys: Sequence[LocalId]) -> list[models.Client | LocalClient | None]:
        if isinstance(store, BuiltinClientStore):
            return list(await _clients_by_id([int(k) for k in keys]))
        return [await store.get(key) for key in keys]

    return DataLoader(load_fn=load)


@dataclass(slots=True)
class Loaders:
    """Fresh per request: a loader caches for the request's lifetime only."""

    store: LocalStore | None = None  # the local clients' store (None: the built-in one)
    link_by_local_id: DataLoader[LocalId, models.SyncMap | None] = field(
        default_factory=lambda: DataLoader(load_fn=_links_by_local_id)
    )
    link_by_whmcs_id: DataLoader[int, models.SyncMap | None] = field(
        default_factory=lambda: DataLoader(load_fn=_links_by_whmcs_id)
    )
    client_by_id: DataLoader[LocalId, models.Client | LocalClient | None] = field(init=False)

    def __post_init__(self) -> None:
        self.client_by_id = _clients_in(self.store or BuiltinClientStore())
