"""WHMCS reads for every entity type: fresh (for decisions that lead to a write) or cached (for
display), a WHMCS failure as WhmcsUnusable and "no such record" as RecordNotFound of its type,
and the invalidation after a write. The entity's cache namespace comes from the registry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from integrations.whmcs.cache import WhmcsReadCache
from integrations.whmcs.client import WhmcsClient
from integrations.whmcs.errors import WhmcsError, WhmcsNotFoundError
from integrations.whmcs.sync.errors import RecordNotFound, WhmcsUnusable
from integrations.whmcs.sync.registry import entity
from models import EntityType

T = TypeVar("T")


class WhmcsReads:
    """What a sync service reads WHMCS with. `whmcs` is None when the integration is off."""

    def __init__(self, *, whmcs: WhmcsClient | None, cache: WhmcsReadCache) -> None:
        self._whmcs = whmcs
        self._cache = cache

    def require_whmcs(self) -> None:
        """Fail fast, before claiming anything, when the integration is switched off."""
        if self._whmcs is None:
            raise WhmcsUnusable.disabled()

    @property
    def whmcs(self) -> WhmcsClient:
        if self._whmcs is None:
            raise WhmcsUnusable.disabled()
        return self._whmcs

    async def call(self, request: Callable[[], Awaitable[T]]) -> T:
        """Run one WHMCS request; a WHMCS failure becomes WhmcsUnusable."""
        try:
            return await request()
        except WhmcsError as exc:
            raise WhmcsUnusable.from_error(exc) from exc

    async def fresh(
        self, entity_type: EntityType, record_id: int, read: Callable[[], Awaitable[T]]
    ) -> T:
        """Read WHMCS bypassing the cache; WHMCS's "not found" is RecordNotFound(entity_type)."""
        return await self._or_not_found(entity_type, record_id, read)

    async def cached(
        self,
        entity_type: EntityType,
        key: str,
        *,
        owner: int | None,
        load: Callable[[], Awaitable[T]],
        record_type: Any,
        record_id: int | None = None,
    ) -> T:
        """Read WHMCS for display: from the cache while it is current (`WhmcsReadCache.read`,
        under the entity's namespace). With `record_id`, WHMCS's "not found" is RecordNotFound
        of that record."""
        kind = entity(entity_type).whmcs.kind

        def read() -> Awaitable[T]:
            return self._cache.read(kind, key, owner=owner, load=load, record_type=record_type)

        if record_id is None:
            return await self.call(read)
        return await self._or_not_found(entity_type, record_id, read)

    async def forget(self, entity_type: EntityType, owner: int | None) -> None:
        """After a write (or a write whose outcome is unknown) to a record ``owner`` owns."""
        await self._cache.invalidate(entity(entity_type).whmcs.kind, owner)

    async def _or_not_found(
        self, entity_type: EntityType, record_id: int, read: Callable[[], Awaitable[T]]
    ) -> T:
        try:
            return await self.call(read)
        except WhmcsUnusable as exc:
            if isinstance(exc.__cause__, WhmcsNotFoundError):
                raise RecordNotFound(entity_type, record_id, "WHMCS") from exc
            raise
