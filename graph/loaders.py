"""DataLoaders: one query per relation per request, answered in key order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from strawberry.dataloader import DataLoader

import models

LinkKey = Literal["local_id", "whmcs_id"]


def _links_by(
    entity_type: models.EntityType, key: LinkKey
) -> Callable[[Sequence[int]], Awaitable[list[models.SyncMap | None]]]:
    async def load(keys: Sequence[int]) -> list[models.SyncMap | None]:
        rows = await models.SyncMap.filter(entity_type=entity_type, **{f"{key}__in": keys})
        by_key = {getattr(row, key): row for row in rows}
        return [by_key.get(k) for k in keys]

    return load


async def _clients_by_id(keys: Sequence[int]) -> list[models.Client | None]:
    rows = await models.Client.filter(id__in=keys)
    by_key = {row.id: row for row in rows}
    return [by_key.get(key) for key in keys]


@dataclass(slots=True)
class Loaders:
    """Fresh per request: a loader caches for the request's lifetime only."""

    client_by_id: DataLoader[int, models.Client | None] = field(
        default_factory=lambda: DataLoader(load_fn=_clients_by_id)
    )
    _links: dict[tuple[models.EntityType, LinkKey], DataLoader[int, models.SyncMap | None]] = field(
        default_factory=dict
    )

    def link_by_local_id(
        self, entity_type: models.EntityType
    ) -> DataLoader[int, models.SyncMap | None]:
        """The links of `entity_type`'s local records, by local id."""
        return self._link_loader(entity_type, "local_id")

    def link_by_whmcs_id(
        self, entity_type: models.EntityType
    ) -> DataLoader[int, models.SyncMap | None]:
        """The links of `entity_type`'s WHMCS records, by WHMCS id."""
        return self._link_loader(entity_type, "whmcs_id")

    def _link_loader(
        self, entity_type: models.EntityType, key: LinkKey
    ) -> DataLoader[int, models.SyncMap | None]:
        loader = self._links.get((entity_type, key))
        if loader is None:
            loader = self._links[entity_type, key] = DataLoader(load_fn=_links_by(entity_type, key))
        return loader
