"""The local side of a sync, behind one interface: where the application's own records live.

Sync code reaches local records only through a :class:`LocalStore`: the built-in one keeps
clients in the bridge's own ``clients`` table (:mod:`.stores.builtin`); another implementation
can keep them in a table the application already has. Ids are whatever the store uses
(``int`` for the built-in one); values are keyed by the local field names of
``mapping.LOCAL_CLIENT_FIELDS``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from models import EntityType

T = TypeVar("T")

LocalId = int | str


@dataclass(frozen=True, slots=True)
class LocalClient:
    id: LocalId
    values: Mapping[str, str | None]  # keys: mapping.LOCAL_CLIENT_FIELDS (first_name, ..., country)
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class LocalStore(Protocol):
    entity_type: EntityType  # CLIENT

    async def get(self, local_id: LocalId) -> LocalClient | None: ...

    async def exists(self, local_id: LocalId) -> bool: ...

    async def find_by_email(
        self, email: str, *, exclude: LocalId | None = None
    ) -> LocalClient | None:
        """Case-insensitive."""
        ...

    async def create(self, values: Mapping[str, str | None]) -> LocalClient:
        """``values`` already cleaned; raises sync.errors.InvalidInput naming the field/column."""
        ...

    async def update(self, local_id: LocalId, values: Mapping[str, str | None]) -> LocalClient:
        """Only the given keys; RecordNotFound(CLIENT, id, "LOCAL") when absent; InvalidInput."""
        ...

    async def delete(self, local_id: LocalId) -> bool: ...

    async def page(self, *, offset: int, limit: int, search: str | None) -> Page[LocalClient]: ...

    def stream(
        self, *, batch: int = 500, after: LocalId | None = None
    ) -> AsyncIterator[LocalClient]:
        """Every record (past ``after``, in the database's order of ids), by id, keyset-paged."""
        ...

    def parse_id(self, raw: str) -> LocalId:
        """A GraphQL ID -> the store's id type; InvalidInput if it cannot be one."""
        ...
