"""WhmcsReadCache.read and .invalidate: any entity kind, owned by a WHMCS client or not."""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Generic, TypeVar

import pytest

from integrations.whmcs.cache import CacheBackend, MemoryBackend, RedisBackend, WhmcsReadCache
from integrations.whmcs.entities import WhmcsPage, WhmcsService
from integrations.whmcs.records import WhmcsClientRecord

T = TypeVar("T")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()
BACKENDS = [
    "memory",
    pytest.param(
        "redis",
        marks=pytest.mark.skipif(
            not REDIS_URL,
            reason=("TEST_REDIS_URL is not set; set it (redis://host:6379/15) to run on Redis"),
        ),
    ),
]


def service(service_id: int = 3, amount: str = "12.950") -> WhmcsService:
    return WhmcsService(
        id=service_id,
        client_id=7,
        order_id=None,
        product_id=1,
        name="Hosting",
        group_name=None,
        domain="ana.example",
        status="Active",
        billing_cycle="Monthly",
        registration_date=datetime.date(2024, 1, 31),
        next_due_date=None,
        first_payment_amount=Decimal(amount),
        recurring_amount=Decimal(amount),
        payment_method="paypal",
        payment_method_name="PayPal",
        username=None,
        server_name=None,
        dedicated_ip=None,
        suspension_reason=None,
    )


class Loads(Generic[T]):
    def __init__(self, *values: T) -> None:
        self.values = list(values)
        self.calls = 0

    async def __call__(self) -> T:
        value = self.values[min(self.calls, len(self.values) - 1)]
        self.calls += 1
        return value


@pytest.fixture(params=BACKENDS)
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[WhmcsReadCache]:
    prefix = f"wb-test:{uuid.uuid4().hex}:"
    backend: CacheBackend = (
        MemoryBackend() if request.param == "memory" else RedisBackend(REDIS_URL)
    )
    try:
        yield WhmcsReadCache(backend, ttl_s=60, prefix=prefix)
    finally:
        await backend.close()
        if request.param == "redis":  # only the keys under this test's own prefix
            from redis.asyncio import Redis

            redis = Redis.from_url(REDIS_URL)
            keys = [key async for key in redis.scan_iter(match=prefix + "*")]
            if keys:
                await redis.delete(*keys)
            await redis.aclose()


PageType = WhmcsPage[WhmcsService]


async def test_an_owned_read_is_served_exactly_until_its_owner_is_written(
    cache: WhmcsReadCache,
) -> None:
    first = WhmcsPage(items=(service(),), total=1, offset=0)
    later = WhmcsPage(items=(service(amount="14.000"),), total=1, offset=0)
    load = Loads(first, later)

    one = await cache.read("service", "page:0:25", owner=7, load=load, record_type=PageType)
    two = await cache.read("service", "page:0:25", owner=7, load=load, record_type=PageType)
    await cache.invalidate("service", 8)  # another client's write: still current
    three = await cache.read("service", "page:0:25", owner=7, load=load, record_type=PageType)
    await cache.invalidate_client(7)  # a write to the owner outdates what it owns
    four = await cache.read("service", "page:0:25", owner=7, load=load, record_type=PageType)

    assert load.calls == 2
    assert one == two == three == first
    assert two.items[0].recurring_amount == Decimal("12.950")  # exact, as WHMCS wrote it
    assert str(two.items[0].recurring_amount) == "12.950"
    assert four == later


async def test_a_read_without_owner_belongs_to_its_kinds_lists(cache: WhmcsReadCache) -> None:
    load = Loads(service(1), service(2))

    one = await cache.read("service", "all", owner=None, load=load, record_type=WhmcsService)
    await cache.invalidate("invoice", 7)  # another kind's lists: still current
    two = await cache.read("service", "all", owner=None, load=load, record_type=WhmcsService)
    await cache.invalidate("service", None)
    three = await cache.read("service", "all", owner=None, load=load, record_type=WhmcsService)

    assert (one.id, two.id, three.id) == (1, 1, 2)
    assert load.calls == 2


async def test_the_client_wrappers_are_the_generic_read(cache: WhmcsReadCache) -> None:
    ana = WhmcsClientRecord(7, "Ana", "Ruiz", "ana@example.org", None, "Active", None)
    load = Loads(ana)

    via_wrapper = await cache.client(7, load)
    via_read = await cache.read("client", "7", owner=7, load=load, record_type=WhmcsClientRecord)

    assert via_wrapper == via_read == ana
    assert load.calls == 1  # one entry: the same key and generation
