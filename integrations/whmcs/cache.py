"""A cache for WHMCS reads that never serves a value older than the last write.

Every cached value is stored with the *generation* of what it describes (one counter per WHMCS
client, one for client lists). A write bumps the generation, so whatever was cached before it (or
loaded while it ran, and stored just after) no longer matches and is not served. The counters live
in the same backend as the values: in memory for one process, in Redis when several instances run
behind a load balancer and must agree.

The cache is for reads shown to people. A decision to write (duplicate check, conflict check)
never goes through it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from redis.exceptions import RedisError

from integrations.whmcs.entities.codec import from_json, to_json
from integrations.whmcs.records import WhmcsClientPage, WhmcsClientRecord

T = TypeVar("T")
logger = logging.getLogger(__name__)
# Told of every lookup: (what was looked up: "client" or "client_page", and "hit", "miss" or
# "unavailable"). The app counts them for its metrics.
CacheObserver = Callable[[str, str], None]


def _short(key: str, max_length: int = 128) -> str:
    """``key``, or a digest of it when long: what a caller sends must not make keys large."""
    if len(key) <= max_length:
        return key
    return key.split(":", 1)[0] + ":sha256:" + hashlib.sha256(key.encode()).hexdigest()


class CacheUnavailableError(Exception):
    """The shared cache (Redis) could not be used; callers fall back to WHMCS itself."""


class CacheBackend(Protocol):
    async def mget(self, keys: Sequence[str]) -> list[bytes | None]: ...
    async def set(self, key: str, value: bytes, ttl_s: int) -> None: ...
    async def incr(self, key: str, amount: int = 1) -> int: ...
    async def close(self) -> None: ...


class MemoryBackend:
    """A bounded LRU for one process. Counters never expire (one per WHMCS client at most)."""

    def __init__(self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self._values: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._counters: dict[str, int] = {}
        self._max = max_entries
        self._clock = clock

    async def mget(self, keys: Sequence[str]) -> list[bytes | None]:
        return [self._get(key) for key in keys]

    def _get(self, key: str) -> bytes | None:
        if key in self._counters:
            return str(self._counters[key]).encode()
        entry = self._values.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self._clock():
            del self._values[key]
            return None
        self._values.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl_s: int) -> None:
        self._values[key] = (self._clock() + ttl_s, value)
        self._values.move_to_end(key)
        while len(self._values) > self._max:
            self._values.popitem(last=False)

    async def incr(self, key: str, amount: int = 1) -> int:
        self._counters[key] = self._counters.get(key, 0) + amount
        return self._counters[key]

    async def close(self) -> None:
        self._values.clear()


class RedisBackend:
    """Shared by every instance. Needs `redis` (redis-py's asyncio client)."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis: Redis = Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)

    async def mget(self, keys: Sequence[str]) -> list[bytes | None]:
        try:
            values = await self._redis.mget(list(keys))
        except RedisError as exc:
            raise CacheUnavailableError(str(exc)) from exc
        return [v.encode() if isinstance(v, str) else v for v in values]

    async def set(self, key: str, value: bytes, ttl_s: int) -> None:
        try:
            await self._redis.set(key, value, ex=max(ttl_s, 1))
        except RedisError as exc:
            raise CacheUnavailableError(str(exc)) from exc

    async def incr(self, key: str, amount: int = 1) -> int:
        try:
            return int(await self._redis.incrby(key, amount))
        except RedisError as exc:
            raise CacheUnavailableError(str(exc)) from exc

    async def close(self) -> None:
        await self._redis.aclose()

    async def ping(self) -> bool:
        return bool(await self._redis.ping())


@dataclass(slots=True)
class CacheCounts:
    hits: int
    misses: int


class WhmcsReadCache:
    """Caches WHMCS client reads, keyed by generation (see the module docstring)."""

    def __init__(
        self,
        backend: CacheBackend,
        *,
        ttl_s: int,
        enabled: bool = True,
        prefix: str = "wb:",
        observer: CacheObserver | None = None,
    ) -> None:
        self._backend = backend
        self._observe = observer or (lambda kind, result: None)
        self._ttl = ttl_s
        self.enabled = enabled and ttl_s > 0
        self._prefix = prefix
        self._last_warning = -1e9

    async def client(
        self, client_id: int, load: Callable[[], Awaitable[WhmcsClientRecord]]
    ) -> WhmcsClientRecord:
        key = f"client:{client_id}"
        gens = (f"gen:client:{client_id}",)
        return await self._cached("client", key, gens, load, _record_to_json, _record_from_json)

    async def client_page(
        self,
        *,
        search: str | None,
        offset: int,
        limit: int,
        load: Callable[[], Awaitable[WhmcsClientPage]],
    ) -> WhmcsClientPage:
        key = _short("clients:" + json.dumps([search, offset, limit]))
        return await self._cached(
            "client_page", key, ("gen:clients",), load, _page_to_json, _page_from_json
        )

    async def read(
        self,
        kind: str,
        key: str,
        *,
        owner: int | None,
        load: Callable[[], Awaitable[T]],
        record_type: Any,
    ) -> T:
        """Any WHMCS read, cached: ``kind`` names what is read ("service", "invoice", ...),
        ``key`` the read itself (its arguments). Checked against the generation of the WHMCS
        client ``owner`` when the read is one client's (so a write to that client retires it),
        else against the generation of every read of that kind (``gen:{kind}s``). Values are
        written with :func:`~integrations.whmcs.entities.codec.to_json` and read back as
        ``record_type`` (e.g. ``WhmcsPage[WhmcsService]``), exactly."""
        full_key = _short(f"{kind}:{key}")
        gens = (f"gen:client:{owner}",) if owner is not None else (f"gen:{kind}s",)
        return await self._cached(
            kind, full_key, gens, load, to_json, lambda data: from_json(record_type, data)
        )

    async def invalidate(self, kind: str, owner: int | None) -> None:
        """Retire every cached read of ``owner`` (a WHMCS client), or, with None, every read of
        ``kind`` cached without an owner."""
        if not self.enabled:
            return
        key = f"gen:client:{owner}" if owner is not None else f"gen:{kind}s"
        try:
            await self._backend.incr(self._prefix + key)
        except CacheUnavailableError:
            logger.error("Cache unavailable: could not invalidate %s reads of %s", kind, owner)

    async def invalidate_client(self, client_id: int | None) -> None:
        """Call after every write to a WHMCS client (and after a write whose outcome is unknown)."""
        if not self.enabled:
            return
        bumps = [self._backend.incr(self._prefix + "gen:clients")]
        if client_id is not None:
            bumps.append(self._backend.incr(f"{self._prefix}gen:client:{client_id}"))
        try:
            await asyncio.gather(*bumps)
        except CacheUnavailableError:
            # Nobody can read from it either; entries written before may show for up to the TTL
            # once it is back. Reads that decide a write never use the cache, so no write is stale.
            logger.error("Cache unavailable: could not invalidate WHMCS client %s", client_id)

    async def counts(self) -> CacheCounts:
        try:
            hits, misses = await self._backend.mget(
                [self._prefix + "stat:hits", self._prefix + "stat:misses"]
            )
        except CacheUnavailableError:
            self._warn_unavailable()
            return CacheCounts(hits=0, misses=0)
        return CacheCounts(hits=int(hits or 0), misses=int(misses or 0))

    def _warn_unavailable(self) -> None:
        now = time.monotonic()
        if now - self._last_warning >= 30:
            self._last_warning = now
            logger.warning("Cache unavailable: reading WHMCS directly until it is back")

    async def _cached(
        self,
        kind: str,
        key: str,
        gen_keys: tuple[str, ...],
        load: Callable[[], Awaitable[T]],
        dump: Callable[[T], Any],
        parse: Callable[[Any], T],
    ) -> T:
        if not self.enabled:
            return await load()
        full_gen_keys = [self._prefix + k for k in gen_keys]
        try:
            *gens_raw, stored = await self._backend.mget([*full_gen_keys, self._prefix + key])
            generation = [int(g or 0) for g in gens_raw]
            if stored is not None:
                envelope = json.loads(stored)
                if envelope.get("gen") == generation:
                    self._observe(kind, "hit")
                    await self._backend.incr(self._prefix + "stat:hits")
                    return parse(envelope["data"])
            self._observe(kind, "miss")
            await self._backend.incr(self._prefix + "stat:misses")
        except CacheUnavailableError:
            self._observe(kind, "unavailable")
            self._warn_unavailable()
            return await load()  # fail open: WHMCS itself answers
        value = await load()
        # Stored under the generation read *before* loading: if a write happened meanwhile, the
        # entry is already outdated and will never be served.
        payload = json.dumps({"gen": generation, "data": dump(value)}).encode()
        try:
            await self._backend.set(self._prefix + key, payload, self._ttl)
        except CacheUnavailableError:
            self._warn_unavailable()
        return value


def _record_to_json(record: WhmcsClientRecord) -> dict[str, Any]:
    data = {name: getattr(record, name) for name in record.__dataclass_fields__}
    created = data.get("created_on")
    data["created_on"] = created.isoformat() if created is not None else None
    return data


def _record_from_json(data: dict[str, Any]) -> WhmcsClientRecord:
    import datetime

    created = data.get("created_on")
    return WhmcsClientRecord(
        **{**data, "created_on": datetime.date.fromisoformat(created) if created else None}
    )


def _page_to_json(page: WhmcsClientPage) -> dict[str, Any]:
    return {
        "items": [_record_to_json(r) for r in page.items],
        "total": page.total,
        "offset": page.offset,
    }


def _page_from_json(data: dict[str, Any]) -> WhmcsClientPage:
    return WhmcsClientPage(
        items=tuple(_record_from_json(r) for r in data["items"]),
        total=data["total"],
        offset=data["offset"],
    )
