"""Budgets: requests that do not authenticate are limited by address, before any token lookup.

Every random token is a database lookup; an address gets API_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE
of those (and of requests with no token, and of the demo's anonymous ones) and then 429 with no
lookup at all. A valid token gives its request back to the address and spends its own budget.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import Api
from whmcs_bridge.ratelimit import MemoryRateLimiter, RedisRateLimiter, client_key

QUERY = {"query": "{ stats { totalSynced } }"}
BUDGET = {"API_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE": "3"}
STRICT = {"DEMO_ALLOW_ANONYMOUS": "false", **BUDGET}


@pytest.fixture
def lookups(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens the verifier was asked about (each one a database lookup once not cached)."""
    seen: list[str] = []
    verifier = api.app.state.verifier
    real = verifier.verify

    async def counting(token: str) -> Any:
        seen.append(token)
        return await real(token)

    monkeypatch.setattr(verifier, "verify", counting)
    return seen


async def _from(api: Api, address: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=api.app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        return await http.post("/graphql", json=QUERY, headers=headers)


@pytest.mark.parametrize("settings_env", [STRICT], indirect=True)
async def test_random_tokens_are_limited_by_address_before_the_lookup(
    api: Api, lookups: list[str]
) -> None:
    answers = [
        await _from(api, "203.0.113.7", Authorization=f"Bearer wbt_random-{n}") for n in range(6)
    ]

    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429, 429]
    assert lookups == [f"wbt_random-{n}" for n in range(3)]  # none once the budget was spent
    limited = answers[-1]
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # Another address has its own budget; the valid token of one behind the same address too
    # (it is looked up only once the address may ask again: no exception for good tokens).
    assert (await _from(api, "198.51.100.1", Authorization="Bearer wbt_x")).status_code == 401


@pytest.mark.parametrize("settings_env", [STRICT], indirect=True)
async def test_requests_without_a_token_spend_the_address_budget_too(api: Api) -> None:
    codes = [(await _from(api, "203.0.113.8")).status_code for _ in range(4)]

    assert codes == [401, 401, 401, 429]


@pytest.mark.parametrize("settings_env", [BUDGET], indirect=True)
async def test_the_demos_anonymous_requests_spend_the_address_budget(api: Api) -> None:
    codes = [(await _from(api, "203.0.113.9")).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize("settings_env", [STRICT], indirect=True)
async def test_valid_tokens_give_their_request_back_to_the_address(
    api: Api, lookups: list[str]
) -> None:
    valid = [
        (await _from(api, "203.0.113.10", Authorization=f"Bearer {api.token}")).status_code
        for _ in range(10)
    ]
    wrong = [
        (await _from(api, "203.0.113.10", Authorization="Bearer wbt_bad")).status_code
        for _ in range(4)
    ]

    assert valid == [200] * 10  # ten valid requests, a budget of three: none counted
    assert wrong == [401, 401, 401, 429]


@pytest.mark.parametrize("settings_env", [STRICT], indirect=True)
async def test_an_ipv6_network_is_one_address(api: Api) -> None:
    same_64 = [
        (await _from(api, f"2001:db8:1:2::{n:x}", Authorization="Bearer wbt_bad")).status_code
        for n in range(1, 5)
    ]
    other_64 = await _from(api, "2001:db8:1:3::1", Authorization="Bearer wbt_bad")

    assert same_64 == [401, 401, 401, 429]  # four hosts of one /64 share one budget
    assert other_64.status_code == 401


@pytest.mark.parametrize(
    ("client", "key"),
    [
        (("192.0.2.1", 1), "addr:192.0.2.1"),
        (("::ffff:192.0.2.1", 1), "addr:192.0.2.1"),
        (("2001:db8::1", 1), "addr:2001:db8::/64"),
        (("2001:db8::ffff:1", 1), "addr:2001:db8::/64"),
        (None, "addr:unknown"),
        (("/run/bridge.sock", 0), "addr:/run/bridge.sock"),
    ],
)
def test_address_keys(client: tuple[str, int] | None, key: str) -> None:
    assert client_key({"type": "http", "client": client}) == key


async def test_a_flood_of_addresses_does_not_grow_memory() -> None:
    now = [0.0]
    limiter = MemoryRateLimiter(60, clock=lambda: now[0], max_keys=100)

    for n in range(1_000):
        await limiter.hit(f"addr:{n}")
        now[0] += 0.001

    assert len(limiter._buckets) <= 100
    assert await limiter.hit("addr:999") == 0  # a recent key keeps working


async def test_a_refund_never_exceeds_the_burst() -> None:
    limiter = MemoryRateLimiter(2, clock=lambda: 0.0)

    await limiter.refund("k")  # unknown key: nothing to give back
    for _ in range(5):
        await limiter.refund("k")
    allowed = [await limiter.hit("k") == 0 for _ in range(3)]

    assert allowed == [True, True, False]


@pytest.fixture
async def redis_limiter() -> AsyncIterator[RedisRateLimiter]:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    limiter = RedisRateLimiter(url, 2, prefix=f"wb:test-rate:{os.getpid()}:")
    yield limiter
    await limiter.close()


async def test_the_redis_budget_takes_a_refund(redis_limiter: RedisRateLimiter) -> None:
    for attempt in range(3):  # a one-minute window: try again if this one ended meanwhile
        window = int(time.time() // 60)
        key = f"k{attempt}"
        first, second = await redis_limiter.hit(key), await redis_limiter.hit(key)
        await redis_limiter.refund(key)
        third, fourth = await redis_limiter.hit(key), await redis_limiter.hit(key)
        if int(time.time() // 60) == window:
            break

    assert (first, second, third) == (0, 0, 0)
    assert fourth > 0
