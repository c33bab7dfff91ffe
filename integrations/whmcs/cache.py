"""A cache for WHMCS reads that never serves a value older than the last write.

Every cached value is stored with the *generation* of what it describes (one counter per WHMCS
client, covering the client and every record it owns; one per entity kind for the lists that
belong to nobody, such as the client list). A write bumps the generation, so whatever was cached
before it (or loaded while it ran, and stored just after) no longer matches and is not served.
The counters live in the same backend as the values: in memory for one process, in Redis when
several instances run behind a load balancer and must agree.

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
# Told of every lookup: (what was looked up: "client", "client_page" or another entity kind such
# as "service", and "hit", "miss" or "unavailable"). The app counts them for its metrics.
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

    async def read(
        self,
        kind: str,
        key: str,
        *,
        owner: int | None,
        load: Callable[[], Awaitable[T]],
        record_type: Any,
    ) -> T:
        """A WHMCS read of entity ``kind`` (``"client"``, ``"service"``...), cached under ``key``.

        ``owner``: the WHMCS client the value belongs to; a write to that client (see
        :meth:`invalidate`) outdates it. Without one the value belongs to the kind's lists
        (``gen:{kind}s``). ``record_type`` is what ``load`` returns (e.g. ``WhmcsClientRecord``
        or ``WhmcsPage[WhmcsService]``): values are stored with the generic codec.
        """
        gens = (f"gen:client:{owner}",) if owner is not None else (f"gen:{kind}s",)
        return await self._cached(
            kind,
            _short(f"{kind}:{key}"),
            gens,
            load,
            to_json,
            lambda data: from_json(record_type, data),
        )

    async def invalidate(self, kind: str, owner: int | None) -> None:
        """Call after every write to a record of ``kind`` (and after a write whose outcome is
        unknown): the kind's lists, and everything the WHMCS client ``owner`` owns, are outdated.
        """
        if not self.enabled:
            return
        bumps = [self._backend.incr(f"{self._prefix}gen:{kind}s")]
        if owner is not None:
            bumps.append(self._backend.incr(f"{self._prefix}gen:client:{owner}"))
        try:
            await asyncio.gather(*bumps)
        except CacheUnavailableError:
            # Nobody can read from it either; entries written before may show for up to the TTL
            # once it is back. Reads that decide a write never use the cache, so no write is stale.
            logger.error("Cache unavailable: could not invalidate WHMCS %s %s", kind, owner)

    async def client(
        self, client_id: int, load: Callable[[], Awaitable[WhmcsClientRecord]]
    ) -> WhmcsClientRecord:
        return await self.read(
            "client", str(client_id), owner=client_id, load=load, record_type=WhmcsClientRecord
        )

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
            "client_page",
            key,
            ("gen:clients",),
            load,
            to_json,
            lambda data: from_json(WhmcsClientPage, data),
        )

    async def invalidate_client(self, client_id: int | None) -> None:
        """Call after every write to a WHMCS client (and after a write whose outcome is unknown)."""
        await self.invalidate("client", client_id)

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
