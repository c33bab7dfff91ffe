"""DataLoaders: one query per relation per request, answered in key order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

import models


async def _links_by_local_id(keys: Sequence[int]) -> list[models.SyncMap | None]:
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


@dataclass(slots=True)
class Loaders:
    """Fresh per request: a loader caches for the request's lifetime only."""

    link_by_local_id: DataLoader[int, models.SyncMap | None] = field(
        default_factory=lambda: DataLoader(load_fn=_links_by_local_id)
    )
    link_by_whmcs_id: DataLoader[int, models.SyncMap | None] = field(
        default_factory=lambda: DataLoader(load_fn=_links_by_whmcs_id)
    )
    client_by_id: DataLoader[int, models.Client | None] = field(
        default_factory=lambda: DataLoader(load_fn=_clients_by_id)
    )
