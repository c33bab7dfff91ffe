"""A minimal LocalStore over the built-in `clients` table: what onboarding reads.

Stand-in until `stores.open_client_store` (the seam) is merged: only `get`, `exists`,
`find_by_email`, `stream` and `parse_id` are real; onboarding writes through the single
operations, never through the store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import models
from integrations.whmcs.sync.base import local_values
from integrations.whmcs.sync.errors import FieldProblem, InvalidInput
from integrations.whmcs.sync.mapping import FieldMapping
from integrations.whmcs.sync.store import LocalClient, LocalId, LocalStore, Page


def _client(row: models.Client) -> LocalClient:
    return LocalClient(row.id, local_values(row), row.created_at, row.updated_at)


class BuiltinClients:
    entity_type = models.EntityType.CLIENT

    async def get(self, local_id: LocalId) -> LocalClient | None:
        row = await models.Client.get_or_none(id=local_id)
        return _client(row) if row is not None else None

    async def exists(self, local_id: LocalId) -> bool:
        return await models.Client.exists(id=local_id)

    async def find_by_email(
        self, email: str, *, exclude: LocalId | None = None
    ) -> LocalClient | None:
        query = models.Client.filter(email_key=email.strip().lower())
        if exclude is not None:
            query = query.exclude(id=exclude)
        row = await query.first()
        return _client(row) if row is not None else None

    async def create(self, values: Mapping[str, str | None]) -> LocalClient:
        raise NotImplementedError("onboarding creates through pullClient's code")

    async def update(self, local_id: LocalId, values: Mapping[str, str | None]) -> LocalClient:
        raise NotImplementedError("onboarding updates nothing locally")

    async def delete(self, local_id: LocalId) -> bool:
        raise NotImplementedError("onboarding deletes nothing")

    async def page(self, *, offset: int, limit: int, search: str | None) -> Page[LocalClient]:
        rows = await models.Client.all().order_by("id").offset(offset).limit(limit)
        return Page([_client(r) for r in rows], await models.Client.all().count(), offset, limit)

    async def stream(self, *, batch: int = 500) -> AsyncIterator[LocalClient]:
        last = 0
        while True:
            rows = await models.Client.filter(id__gt=last).order_by("id").limit(batch)
            if not rows:
                return
            for row in rows:
                yield _client(row)
            last = rows[-1].id

    def parse_id(self, raw: str) -> LocalId:
        text = raw.strip()
        if not (text.isascii() and text.isdigit()):
            raise InvalidInput([FieldProblem("id", f"{raw!r} is not a local client id.")])
        return int(text)


def open_client_store(mapping: FieldMapping) -> LocalStore:
    return BuiltinClients()
