"""WhmcsReadCache on both backends: generations, TTL, races, counts, sharing through Redis.

The Redis cases need TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15). Every test works under its
own key prefix and deletes only the keys under it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pytest

from integrations.whmcs.cache import MemoryBackend, RedisBackend, WhmcsReadCache
from integrations.whmcs.records import WhmcsClientPage, WhmcsClientRecord

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()
NEEDS_REDIS = pytest.mark.skipif(
    not REDIS_URL, reason="TEST_REDIS_URL is not set; set it (redis://host:6379/15) to run on Redis"
)
T = TypeVar("T")


def record(client_id: int = 7, **changes: Any) -> WhmcsClientRecord:
    base = WhmcsClientRecord(
        id=client_id,
        first_name="Ana",
        last_name="Ruiz",
        email=f"ana{client_id}@example.org",
        company_name=None,
        status="Active",
        created_on=datetime.date(2021, 2, 28),
        phone_number="+34 600 000 000",
        address1="Calle Mayor 1",
        address2=None,
        city="Madrid",
        state=None,
        postcode="28013",
        country="ES",
    )
    return dataclasses.replace(base, **changes)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Loader(Generic[T]):
    """A loader that counts its calls; call n returns values[n] (the last one from then on)."""

    def __init__(self, values: list[T]) -> None:
        self.values = values
        self.calls = 0

    async def __call__(self) -> T:
        self.calls += 1
        return self.values[min(self.calls, len(self.values)) - 1]


@dataclass
class Caches:
    """Builds caches on one backend kind; every cache made shares the test's key prefix."""

    kind: str
    prefix: str
    clock: Clock = field(default_factory=Clock)
    _memory: MemoryBackend | None = None
    _opened: list[RedisBackend] = field(default_factory=list)

    def backend(self) -> MemoryBackend | RedisBackend:
        """The memory backend is one per test; each Redis backend is a separate connection."""
        if self.kind == "memory":
            if self._memory is None:
                self._memory = MemoryBackend(clock=self.clock)
            return self._memory
        redis_backend = RedisBackend(REDIS_URL)
        self._opened.append(redis_backend)
        return redis_backend

    def make(self, *, ttl_s: int = 60, enabled: bool = True) -> WhmcsReadCache:
        return WhmcsReadCache(self.backend(), ttl_s=ttl_s, enabled=enabled, prefix=self.prefix)


async def _delete_prefix(prefix: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in redis.scan_iter(match=prefix + "*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture(
    params=[
        pytest.param("memory", id="memory"),
        pytest.param("redis", id="redis", marks=NEEDS_REDIS),
    ]
)
async def caches(request: pytest.FixtureRequest) -> AsyncIterator[Caches]:
    prefix = f"wb-test:{uuid.uuid4().hex}:"
    made = Caches(kind=request.param, prefix=prefix)
    try:
        yield made
    finally:
        for backend in made._opened:
            await backend.close()
        if made.kind == "redis":
            await _delete_prefix(prefix)


def page_loader(*pages: WhmcsClientPage) -> Loader[WhmcsClientPage]:
    return Loader(list(pages))


async def test_hit_after_miss_calls_the_loader_once(caches: Caches) -> None:
    cache = caches.make()
    load = Loader([record()])

    first = await cache.client(7, load)
    second = await cache.client(7, load)

    assert first == second == record()
    assert load.calls == 1


async def test_each_client_has_its_own_entry(caches: Caches) -> None:
    cache = caches.make()
    load_7, load_8 = Loader([record(7)]), Loader([record(8)])

    assert (await cache.client(7, load_7)).id == 7
    assert (await cache.client(8, load_8)).id == 8

    assert (load_7.calls, load_8.calls) == (1, 1)


async def test_entry_expires_after_the_ttl(caches: Caches) -> None:
    cache = caches.make(ttl_s=1 if caches.kind == "redis" else 30)
    load = Loader([record(first_name="Old"), record(first_name="New")])
    await cache.client(7, load)
    assert (await cache.client(7, load)).first_name == "Old"

    if caches.kind == "memory":
        caches.clock.now += 29.9
        assert (await cache.client(7, load)).first_name == "Old"
        caches.clock.now += 0.1
    else:
        await asyncio.sleep(1.2)  # Redis expiry: the one real wait of this module
    after = await cache.client(7, load)

    assert after.first_name == "New"
    assert load.calls == 2


async def test_invalidate_client_makes_the_next_read_load_again(caches: Caches) -> None:
    cache = caches.make()
    load = Loader([record(first_name="Old"), record(first_name="New")])
    other = Loader([record(8)])
    await cache.client(7, load)
    await cache.client(8, other)

    await cache.invalidate_client(7)

    assert (await cache.client(7, load)).first_name == "New"
    assert load.calls == 2
    await cache.client(8, other)
    assert other.calls == 1  # another client's entry survives
    await cache.client(7, load)
    assert load.calls == 2  # and the reloaded value is cached again


async def test_a_read_racing_a_write_is_never_served_afterwards(caches: Caches) -> None:
    cache = caches.make()
    started, release = asyncio.Event(), asyncio.Event()
    calls = 0

    async def slow_old_read() -> WhmcsClientRecord:
        nonlocal calls
        calls += 1
        if calls == 1:
            started.set()
            await release.wait()
            return record(first_name="Before the write")
        return record(first_name="After the write")

    in_flight = asyncio.create_task(cache.client(7, slow_old_read))
    await asyncio.wait_for(started.wait(), 5)
    await cache.invalidate_client(7)  # the write completes while the read is loading
    release.set()
    raced = await asyncio.wait_for(in_flight, 5)

    after = await cache.client(7, slow_old_read)

    assert raced.first_name == "Before the write"  # its own caller gets what it loaded
    assert after.first_name == "After the write"
    assert calls == 2
    assert (await cache.client(7, slow_old_read)).first_name == "After the write"
    assert calls == 2  # the fresh value is served from the cache


async def test_client_page_is_keyed_by_search_offset_and_limit(caches: Caches) -> None:
    cache = caches.make()
    page = WhmcsClientPage(items=(record(7), record(8, created_on=None)), total=12, offset=0)
    load = page_loader(page)

    got = await cache.client_page(search=None, offset=0, limit=2, load=load)
    again = await cache.client_page(search=None, offset=0, limit=2, load=load)
    assert got == again == page
    assert load.calls == 1

    for search, offset, limit in (("ana", 0, 2), (None, 2, 2), (None, 0, 3), ("", 0, 2)):
        other = page_loader(page)
        await cache.client_page(search=search, offset=offset, limit=limit, load=other)
        assert other.calls == 1, (search, offset, limit)


async def test_any_client_write_invalidates_every_page(caches: Caches) -> None:
    cache = caches.make()
    before = WhmcsClientPage(items=(record(7),), total=1, offset=0)
    after = WhmcsClientPage(items=(record(7), record(9)), total=2, offset=0)
    load = page_loader(before, after)
    searched = page_loader(before, after)
    await cache.client_page(search=None, offset=0, limit=25, load=load)
    await cache.client_page(search="ana", offset=0, limit=25, load=searched)

    await cache.invalidate_client(9)  # a client that is on no cached page yet

    got = await cache.client_page(search=None, offset=0, limit=25, load=load)
    got_searched = await cache.client_page(search="ana", offset=0, limit=25, load=searched)
    assert got == got_searched == after
    assert (load.calls, searched.calls) == (2, 2)


async def test_invalidate_with_unknown_client_still_invalidates_pages(caches: Caches) -> None:
    cache = caches.make()
    client_load = Loader([record(7)])
    load = page_loader(WhmcsClientPage((), 0, 0), WhmcsClientPage((record(7),), 1, 0))
    await cache.client(7, client_load)
    await cache.client_page(search=None, offset=0, limit=25, load=load)

    await cache.invalidate_client(None)  # a create whose new id is unknown

    page = await cache.client_page(search=None, offset=0, limit=25, load=load)
    assert page.total == 1
    assert load.calls == 2
    await cache.client(7, client_load)
    assert client_load.calls == 1  # no client generation was bumped


async def test_counts_hits_and_misses(caches: Caches) -> None:
    cache = caches.make()
    assert (await cache.counts()).hits == 0
    load = Loader([record()])
    page = page_loader(WhmcsClientPage((), 0, 0))

    await cache.client(7, load)
    await cache.client(7, load)
    await cache.client(7, load)
    await cache.client_page(search=None, offset=0, limit=5, load=page)
    await cache.invalidate_client(7)
    await cache.client(7, load)

    counts = await cache.counts()
    assert (counts.hits, counts.misses) == (2, 3)


@pytest.mark.parametrize(("ttl_s", "enabled"), [(60, False), (0, True)], ids=["disabled", "ttl0"])
async def test_disabled_or_zero_ttl_always_loads(caches: Caches, ttl_s: int, enabled: bool) -> None:
    cache = caches.make(ttl_s=ttl_s, enabled=enabled)
    load = Loader([record(first_name="One"), record(first_name="Two"), record(first_name="Three")])
    page = page_loader(WhmcsClientPage((), 0, 0))

    names = [(await cache.client(7, load)).first_name for _ in range(3)]
    for _ in range(2):
        await cache.client_page(search=None, offset=0, limit=5, load=page)
    await cache.invalidate_client(7)

    assert cache.enabled is False
    assert names == ["One", "Two", "Three"]
    assert page.calls == 2
    counts = await cache.counts()
    assert (counts.hits, counts.misses) == (0, 0)


async def test_records_round_trip_exactly(caches: Caches) -> None:
    """What comes out of the cache equals what went in: dates, None and non-ASCII included."""
    cache = caches.make()
    full = record(7, first_name="Jürgen", company_name="O'Brien & Co", created_on=None)
    sparse = WhmcsClientRecord(
        id=8,
        first_name="",
        last_name="Müller",
        email="j@example.de",
        company_name=None,
        status=None,
        created_on=datetime.date(1999, 12, 31),
    )
    page = WhmcsClientPage(items=(full, sparse), total=40, offset=20)
    await cache.client(7, Loader([full]))
    await cache.client(8, Loader([sparse]))
    await cache.client_page(search="j", offset=20, limit=2, load=page_loader(page))
    unused_record = Loader([record(99)])
    unused_page = page_loader(WhmcsClientPage((), 0, 0))

    got_full = await cache.client(7, unused_record)
    got_sparse = await cache.client(8, unused_record)
    got_page = await cache.client_page(search="j", offset=20, limit=2, load=unused_page)

    assert (unused_record.calls, unused_page.calls) == (0, 0)  # all three were hits
    assert got_full == full
    assert got_sparse == sparse
    assert isinstance(got_sparse.created_on, datetime.date)
    assert got_page == page
    assert isinstance(got_page.items, tuple)


async def test_memory_backend_evicts_the_least_recently_used() -> None:
    cache = WhmcsReadCache(MemoryBackend(max_entries=2), ttl_s=60)
    loads = {n: Loader([record(n)]) for n in (1, 2, 3)}
    await cache.client(1, loads[1])
    await cache.client(2, loads[2])
    await cache.client(1, loads[1])  # 1 is now the most recent
    await cache.client(3, loads[3])  # evicts 2

    await cache.client(1, loads[1])
    await cache.client(2, loads[2])

    assert (loads[1].calls, loads[2].calls, loads[3].calls) == (1, 2, 1)


@NEEDS_REDIS
async def test_two_instances_on_one_redis_share_entries_and_invalidations() -> None:
    """Two app instances behind a load balancer: what one caches or invalidates, both see."""
    prefix = f"wb-test:{uuid.uuid4().hex}:"
    backend_a, backend_b = RedisBackend(REDIS_URL), RedisBackend(REDIS_URL)
    try:
        instance_a = WhmcsReadCache(backend_a, ttl_s=60, prefix=prefix)
        instance_b = WhmcsReadCache(backend_b, ttl_s=60, prefix=prefix)
        load = Loader([record(first_name="Old"), record(first_name="New")])
        pages = page_loader(WhmcsClientPage((record(7),), 1, 0), WhmcsClientPage((), 0, 0))

        await instance_a.client(7, load)
        shared = await instance_b.client(7, load)
        await instance_b.client_page(search=None, offset=0, limit=25, load=pages)
        await instance_a.client_page(search=None, offset=0, limit=25, load=pages)
        assert shared.first_name == "Old"
        assert (load.calls, pages.calls) == (1, 1)

        await instance_b.invalidate_client(7)  # a write handled by instance B

        assert (await instance_a.client(7, load)).first_name == "New"
        assert (
            await instance_a.client_page(search=None, offset=0, limit=25, load=pages)
        ).total == 0
        assert (load.calls, pages.calls) == (2, 2)
        counts_a, counts_b = await instance_a.counts(), await instance_b.counts()
        assert counts_a == counts_b  # one set of counters for the whole deployment
        assert (counts_a.hits, counts_a.misses) == (2, 4)
        assert await backend_a.ping()
    finally:
        await backend_a.close()
        await backend_b.close()
        await _delete_prefix(prefix)


@NEEDS_REDIS
async def test_redis_cache_touches_only_its_prefix() -> None:
    prefix = f"wb-test:{uuid.uuid4().hex}:"
    backend = RedisBackend(REDIS_URL)
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        cache = WhmcsReadCache(backend, ttl_s=60, prefix=prefix)
        await cache.client(7, Loader([record()]))
        await cache.invalidate_client(7)

        keys = {key.decode() async for key in redis.scan_iter(match=prefix + "*")}
        assert keys == {
            prefix + "client:7",
            prefix + "gen:client:7",
            prefix + "gen:clients",
            prefix + "stat:misses",
        }
        assert 0 < await redis.ttl(prefix + "client:7") <= 60
    finally:
        await backend.close()
        await redis.aclose()
        await _delete_prefix(prefix)


async def test_an_unreachable_redis_falls_back_to_whmcs(caplog: pytest.LogCaptureFixture) -> None:
    from integrations.whmcs.cache import RedisBackend, WhmcsReadCache

    backend = RedisBackend("redis://127.0.0.1:9/0")  # nothing listens there
    cache = WhmcsReadCache(backend, ttl_s=60)
    loads = 0

    async def load() -> Any:
        nonlocal loads
        loads += 1
        return _record_for_outage()

    try:
        first = await cache.client(5, load)
        second = await cache.client(5, load)
        await cache.invalidate_client(5)
        counts = await cache.counts()
    finally:
        await backend.close()

    assert (first.id, second.id, loads) == (5, 5, 2)  # answered by WHMCS each time
    assert (counts.hits, counts.misses) == (0, 0)
    assert "Cache unavailable" in caplog.text


def _record_for_outage() -> Any:
    from integrations.whmcs.records import WhmcsClientRecord

    return WhmcsClientRecord(
        id=5,
        first_name="A",
        last_name="B",
        email="a@b.co",
        company_name=None,
        status=None,
        created_on=None,
    )
