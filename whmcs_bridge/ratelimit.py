"""Request budgets: per API token (shared through Redis when set), and per client address.

Two budgets, because they protect different things:

- a token's budget (`API_RATE_LIMIT_PER_MINUTE`) keeps one integration from crowding out the
  others; it is spent after the token is known, and shared by every instance through Redis;
- an address's budget (`API_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE`) is spent *before* a presented
  token is looked up, and given back when the token turns out valid, so what it counts is
  requests that did not authenticate: random tokens (each one a database lookup), no token at
  all, or the demo's anonymous requests. It lives in this process's memory: it protects this
  instance's database lookups, and needs no round trip to Redis on the path of every request.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from starlette.types import Scope


class RateLimiter(Protocol):
    async def hit(self, key: str) -> float:
        """Count one request for `key`; 0 when allowed, else seconds until it would be."""
        ...

    async def refund(self, key: str) -> None:
        """Give back one request counted by `hit` (it turned out not to count)."""
        ...


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class MemoryRateLimiter:
    """A token bucket per key: `per_minute` requests a minute, bursts up to `burst`.

    Holds at most `max_keys` buckets: past that, those full again by now are dropped (they hold
    nothing a new bucket would not), then, if still too many, all of them (a flood of distinct
    keys must not grow memory; the worst it costs is one fresh burst per key).
    """

    def __init__(
        self,
        per_minute: int,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst or per_minute)
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}

    async def hit(self, key: str) -> float:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._prune(now)
            bucket = self._buckets[key] = _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self._rate

    async def refund(self, key: str) -> None:
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket.tokens = min(self._burst, bucket.tokens + 1)

    def _prune(self, now: float) -> None:
        full_after = self._burst / self._rate
        self._buckets = {
            key: bucket
            for key, bucket in self._buckets.items()
            if now - bucket.updated < full_after
        }
        if len(self._buckets) >= self._max_keys:
            self._buckets.clear()


class RedisRateLimiter:
    """A fixed one-minute window per key, shared by every instance."""

    def __init__(self, url: str, per_minute: int, prefix: str = "wb:rate:") -> None:
        from redis.asyncio import Redis

        self._redis: Redis = Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._limit = per_minute
        self._prefix = prefix

    def _name(self, key: str) -> str:
        return f"{self._prefix}{key}:{int(time.time() // 60)}"

    async def hit(self, key: str) -> float:
        name = self._name(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, 120)
            count, _ = await pipe.execute()
        if int(count) <= self._limit:
            return 0.0
        return 60 - time.time() % 60

    async def refund(self, key: str) -> None:
        await self._redis.decr(self._name(key))

    async def close(self) -> None:
        await self._redis.aclose()


def client_key(scope: Scope) -> str:
    """The budget key of the caller's address: an IPv6 caller by its /64 (one subscriber's
    network: a host picks addresses in it at will), an IPv4 one by its address."""
    client = scope.get("client")
    host = client[0] if client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"addr:{host or 'unknown'}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"addr:{address.ipv4_mapped}"
        return f"addr:{ipaddress.ip_network((address, 64), strict=False)}"
    return f"addr:{address}"
