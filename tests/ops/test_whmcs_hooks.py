"""The hooks the metrics hang on: WHMCS calls classified and timed, calls not sent, cache
lookups, breaker state changes. Real HTTP to the sandbox on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from integrations.whmcs.breaker import CircuitBreaker
from integrations.whmcs.cache import CacheUnavailableError, MemoryBackend, WhmcsReadCache
from integrations.whmcs.client import CallOutcome, NotSent, WhmcsClient, call_outcome
from integrations.whmcs.errors import (
    WhmcsApiError,
    WhmcsCircuitOpenError,
    WhmcsConnectionError,
    WhmcsInvalidIpError,
    WhmcsPermissionError,
    WhmcsProtocolError,
    WhmcsServerError,
    WhmcsShuttingDownError,
    WhmcsTimeoutError,
)
from integrations.whmcs.records import WhmcsClientRecord
from integrations.whmcs.sandbox import Fault, SandboxConfig, start_sandbox

IDENT, SECRET = "hooks-ident", "hooks-secret"


class Metrics:
    """A CallMetrics that keeps what it is told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, CallOutcome, float]] = []
        self.refused: list[tuple[str, NotSent]] = []

    def sent(self, action: str, outcome: CallOutcome, seconds: float) -> None:
        self.calls.append((action, outcome, seconds))

    def not_sent(self, action: str, reason: NotSent) -> None:
        self.refused.append((action, reason))

    def outcomes(self) -> list[tuple[str, str]]:
        return [(action, outcome.value) for action, outcome, _ in self.calls]


@pytest.fixture
async def sandbox() -> AsyncIterator[Any]:
    async with await start_sandbox(SandboxConfig(identifier=IDENT, secret=SECRET)) as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _no_sleep(seconds: float) -> None:
    return None


def client(
    sandbox: Any,
    session: aiohttp.ClientSession,
    metrics: Metrics,
    identifier: str = IDENT,
    **options: Any,
) -> WhmcsClient:
    return WhmcsClient(
        api_url=sandbox.url,
        identifier=identifier,
        secret=SECRET,
        session=session,
        metrics=metrics,
        **{"timeout_s": 2.0, "sleep": _no_sleep, **options},
    )


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (None, "success"),
        (WhmcsApiError("AddClient", "no"), "rejected"),
        (WhmcsInvalidIpError("GetClients", "no", ip="1.2.3.4"), "auth_failed"),
        (WhmcsPermissionError("AddClient", "no", denied_action="addclient"), "auth_failed"),
        (WhmcsTimeoutError("GetClients", "slow"), "unavailable"),
        (WhmcsServerError("GetClients", "500"), "unavailable"),
        (WhmcsProtocolError("GetClients", "waf"), "unavailable"),
        (WhmcsConnectionError("GetClients", "refused"), "unavailable"),
        (WhmcsTimeoutError("AddClient", "slow", outcome_unknown=True), "outcome_unknown"),
        (WhmcsConnectionError("AddClient", "reset", outcome_unknown=True), "outcome_unknown"),
    ],
)
def test_every_failure_family_has_its_outcome(error: Any, outcome: str) -> None:
    assert call_outcome(error).value == outcome


async def test_each_request_sent_is_classified_and_timed(
    sandbox: Any, session: aiohttp.ClientSession
) -> None:
    metrics = Metrics()
    whmcs = client(sandbox, session, metrics)

    await whmcs.call("GetClients")
    sandbox.state.faults.push(Fault("error", action="AddClient", message="Email Invalid"))
    with pytest.raises(WhmcsApiError):
        await whmcs.call("AddClient", {"email": "x"})
    sandbox.state.faults.push(Fault("html_500", action="GetClients", times=3))
    with pytest.raises(WhmcsServerError):
        await whmcs.call("GetClients")  # a read: tried three times
    sandbox.state.faults.push(Fault("delay", action="UpdateClient", seconds=5))
    with pytest.raises(WhmcsTimeoutError):
        await whmcs.call("UpdateClient", {"clientid": 1})
    wrong = client(sandbox, session, metrics, identifier="not-the-identifier")
    with pytest.raises(Exception, match="Invalid or missing credentials"):
        await wrong.call("GetClients")

    assert metrics.outcomes() == [
        ("GetClients", "success"),
        ("AddClient", "rejected"),
        ("GetClients", "unavailable"),
        ("GetClients", "unavailable"),
        ("GetClients", "unavailable"),
        ("UpdateClient", "outcome_unknown"),
        ("GetClients", "auth_failed"),
    ]
    timed_out = metrics.calls[5][2]
    assert 1.9 <= timed_out < 5, timed_out  # the 2 s timeout, not the 5 s delay
    assert metrics.refused == []


async def test_calls_refused_by_the_open_circuit_are_counted_as_not_sent(
    sandbox: Any, session: aiohttp.ClientSession
) -> None:
    metrics = Metrics()
    whmcs = client(sandbox, session, metrics, read_retries=0, breaker=CircuitBreaker(threshold=1))
    sandbox.state.faults.push(Fault("html_500", action="GetClients"))
    with pytest.raises(WhmcsServerError):
        await whmcs.call("GetClients")
    before = len(sandbox.state.calls)
    with pytest.raises(WhmcsCircuitOpenError):
        await whmcs.call("AddClient", {"email": "x"})

    assert len(sandbox.state.calls) == before
    assert metrics.refused == [("AddClient", NotSent.CIRCUIT_OPEN)]
    assert metrics.outcomes() == [("GetClients", "unavailable")]


async def test_after_stop_new_calls_a_call_in_flight_finishes_and_no_new_one_is_sent(
    sandbox: Any, session: aiohttp.ClientSession
) -> None:
    metrics = Metrics()
    whmcs = client(sandbox, session, metrics, timeout_s=10.0)
    sandbox.state.faults.push(Fault("delay", action="UpdateClient", seconds=0.5, after_commit=True))
    in_flight = asyncio.create_task(
        whmcs.with_observer(None).call("UpdateClient", {"clientid": 1, "city": "Cadiz"})
    )
    for _ in range(200):  # until the sandbox has the request
        if sandbox.state.calls_for("UpdateClient"):
            break
        await asyncio.sleep(0.01)
    whmcs.stop_new_calls()
    with pytest.raises(WhmcsShuttingDownError) as refused:
        await whmcs.call("GetClients")

    answer = await in_flight
    assert answer["result"] == "success"
    assert [c["action"] for c in sandbox.state.calls] == ["UpdateClient"]
    assert sandbox.state.get_client(1).city == "Cadiz"
    assert metrics.refused == [("GetClients", NotSent.SHUTTING_DOWN)]
    assert metrics.outcomes() == [("UpdateClient", "success")]
    assert refused.value.retryable
    assert not refused.value.outcome_unknown
    assert "not sent" in refused.value.message


async def test_a_call_waiting_for_a_slot_when_the_server_stops_is_not_sent(
    sandbox: Any, session: aiohttp.ClientSession
) -> None:
    metrics = Metrics()
    whmcs = client(sandbox, session, metrics, timeout_s=10.0, max_concurrency=1)
    sandbox.state.faults.push(Fault("delay", action="GetClients", seconds=0.5))
    first = asyncio.create_task(whmcs.call("GetClients"))
    for _ in range(200):
        if sandbox.state.calls_for("GetClients"):
            break
        await asyncio.sleep(0.01)
    queued = asyncio.create_task(whmcs.call("AddClient", {"email": "q@example.org"}))
    await asyncio.sleep(0.05)  # queued behind the only slot
    whmcs.stop_new_calls()

    assert (await first)["result"] == "success"
    with pytest.raises(WhmcsShuttingDownError):
        await queued
    assert sandbox.state.calls_for("AddClient") == []


def test_the_breaker_reports_each_change_of_state_once() -> None:
    now = [0.0]
    seen: list[str] = []
    breaker = CircuitBreaker(
        threshold=2, cooldown_s=10, clock=lambda: now[0], on_change=seen.append
    )

    breaker.failed()
    breaker.failed()  # threshold: open
    assert breaker.admit() > 0
    now[0] = 11
    assert breaker.admit() == 0  # the probe: half-open
    breaker.failed()  # the probe failed: open again
    now[0] = 22
    assert breaker.admit() == 0
    breaker.succeeded()  # closed
    breaker.succeeded()  # no change, no report

    assert seen == ["open", "half-open", "open", "half-open", "closed"]


class BrokenBackend(MemoryBackend):
    async def mget(self, keys: Any) -> list[bytes | None]:
        raise CacheUnavailableError("redis down")


async def test_the_cache_reports_hits_misses_and_failures() -> None:
    seen: list[tuple[str, str]] = []
    loads = 0

    async def load() -> WhmcsClientRecord:
        nonlocal loads
        loads += 1
        return WhmcsClientRecord(7, "Ada", "Byron", "ada@example.org", None, "Active", None)

    cache = WhmcsReadCache(MemoryBackend(), ttl_s=60, observer=lambda k, r: seen.append((k, r)))
    await cache.client(7, load)
    await cache.client(7, load)
    await cache.invalidate_client(7)
    await cache.client(7, load)
    broken = WhmcsReadCache(BrokenBackend(), ttl_s=60, observer=lambda k, r: seen.append((k, r)))
    await broken.client(7, load)

    assert seen == [
        ("client", "miss"),
        ("client", "hit"),
        ("client", "miss"),
        ("client", "unavailable"),
    ]
    assert loads == 3
