"""DataLoaders: one query per relation per request, answered in key order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from strawberry.dataloader import DataLoader

import models
from integrations.whmcs.sync.store import LocalClient, LocalId, LocalStore
from integrations.whmcs.sync.stores.builtin import BuiltinClientStore

LinkKey = Literal["local_id", "whmcs_id"]
LinkLoader = DataLoader[LocalId, models.SyncMap | None]


def _links_by(
    entity_type: models.EntityType, key: LinkKey
) -> Callable[[Sequence[LocalId]], Awaitable[list[models.SyncMap | None]]]:
    async def load(keys: Sequence[LocalId]) -> list[models.SyncMap | None]:
        rows = await models.SyncMap.filter(entity_type=entity_type, **{f"{key}__in": keys})
        by_key = {getattr(row, key): row for row in rows}
        return [by_key.get(k) for k in keys]

    return load


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
    client_by_id: DataLoader[LocalId, models.Client | LocalClient | None] = field(init=False)
    _links: dict[tuple[models.EntityType, LinkKey], LinkLoader] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client_by_id = _clients_in(self.store or BuiltinClientStore())

    def link_by_local_id(self, entity_type: models.EntityType) -> LinkLoader:
        """The links of `entity_type`'s local records, by local id (the store's id type)."""
        return self._link_loader(entity_type, "local_id")

    def link_by_whmcs_id(self, entity_type: models.EntityType) -> LinkLoader:
        """The links of `entity_type`'s WHMCS records, by WHMCS id."""
        return self._link_loader(entity_type, "whmcs_id")

    def _link_loader(self, entity_type: models.EntityType, key: LinkKey) -> LinkLoader:
        loader = self._links.get((entity_type, key))
        if loader is None:
            loader = self._links[entity_type, key] = DataLoader(load_fn=_links_by(entity_type, key))
        return loader
