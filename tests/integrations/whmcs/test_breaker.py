"""The circuit breaker on its own and in the client (an injected clock: no sleeping)."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from integrations.whmcs.breaker import BreakerStatus, CircuitBreaker, CircuitState
from integrations.whmcs.client import WhmcsClient
from integrations.whmcs.errors import (
    WhmcsCircuitOpenError,
    WhmcsConnectionError,
    WhmcsTimeoutError,
)
from tests.support.fake_whmcs import BASE_URL, IDENTIFIER, SECRET, FakeWhmcs, RecordingSleep
from whmcs_bridge.settings import Settings, SettingsError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_and_probes_after_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown_s=30, clock=clock)

    for _ in range(2):
        assert breaker.admit() == 0
        breaker.failed()
    assert breaker.state == "closed"
    breaker.failed()

    assert breaker.state == "open"
    assert breaker.admit() == pytest.approx(30)
    clock.now += 20
    assert breaker.admit() == pytest.approx(10)
    clock.now += 10
    assert breaker.state == "half-open"
    assert breaker.admit() == 0  # the probe
    assert breaker.admit() == 1.0  # only one probe at a time
    breaker.succeeded()
    assert (breaker.state, breaker.admit(), breaker.failures) == ("closed", 0, 0)


def test_a_failed_probe_opens_it_again_for_a_whole_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, cooldown_s=5, clock=clock)
    breaker.failed()
    clock.now += 5
    assert breaker.admit() == 0

    breaker.failed()

    assert breaker.state == "open"
    assert breaker.admit() == pytest.approx(5)


def test_any_answer_resets_the_count() -> None:
    breaker = CircuitBreaker(threshold=3, cooldown_s=5, clock=Clock())
    breaker.failed()
    breaker.failed()
    breaker.succeeded()  # e.g. WHMCS answered "Client Not Found": it is up
    breaker.failed()
    breaker.failed()

    assert breaker.state == "closed"


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="threshold"):
        CircuitBreaker(threshold=0)


def test_status_tells_state_failures_and_wait() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=2, cooldown_s=30, clock=clock)
    breaker.failed()

    assert breaker.status() == BreakerStatus(CircuitState.CLOSED, 1, 2, 30, None)
    breaker.failed()
    clock.now += 12
    assert breaker.status() == BreakerStatus(CircuitState.OPEN, 2, 2, 30, pytest.approx(18))
    clock.now += 18
    assert breaker.status() == BreakerStatus(CircuitState.HALF_OPEN, 2, 2, 30, None)
    breaker.succeeded()
    assert breaker.status() == BreakerStatus(CircuitState.CLOSED, 0, 2, 30, None)


def test_status_does_not_take_the_probe() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, cooldown_s=5, clock=clock)
    breaker.failed()
    clock.now += 5

    for _ in range(3):
        assert breaker.status().state is CircuitState.HALF_OPEN
    assert breaker.admit() == 0  # the probe is still there for a real call


# --- the breaker in the client: a diagnostic call (the connection test) is never held back ----

DETAILS = {"result": "success", "whmcs": {"version": "8.13.3"}}


def _client(session: aiohttp.ClientSession, breaker: CircuitBreaker) -> WhmcsClient:
    return WhmcsClient(
        api_url=BASE_URL,
        identifier=IDENTIFIER,
        secret=SECRET,
        session=session,
        sleep=RecordingSleep(),
        breaker=breaker,
    )


async def _open(whmcs: WhmcsClient, fake: FakeWhmcs) -> None:
    for _ in range(3):  # one read: 3 attempts, 3 failures
        fake.fail("GetClients", aiohttp.ServerDisconnectedError())
    with pytest.raises(WhmcsConnectionError):
        await whmcs.call("GetClients")
    assert whmcs.breaker.state is CircuitState.OPEN


async def test_a_diagnostic_call_goes_through_an_open_circuit_and_closes_it(
    session: aiohttp.ClientSession, fake_whmcs: FakeWhmcs
) -> None:
    whmcs = _client(session, CircuitBreaker(threshold=3, cooldown_s=600, clock=Clock()))
    await _open(whmcs, fake_whmcs)
    with pytest.raises(WhmcsCircuitOpenError):
        await whmcs.details()  # an ordinary call is held back: nothing sent
    assert fake_whmcs.calls_for("WhmcsDetails") == []
    fake_whmcs.reply("WhmcsDetails", DETAILS)

    details = await whmcs.details(diagnostic=True)

    assert details.version == "8.13.3"
    assert len(fake_whmcs.calls_for("WhmcsDetails")) == 1
    assert whmcs.breaker.status() == BreakerStatus(CircuitState.CLOSED, 0, 3, 600, None)
    fake_whmcs.reply("GetClients", {"result": "success", "totalresults": 0, "clients": ""})
    await whmcs.call("GetClients")  # the next call goes at once


async def test_a_failed_diagnostic_call_is_tried_once_reported_as_it_is_and_counted(
    session: aiohttp.ClientSession, fake_whmcs: FakeWhmcs
) -> None:
    clock = Clock()
    whmcs = _client(session, CircuitBreaker(threshold=3, cooldown_s=60, clock=clock))
    await _open(whmcs, fake_whmcs)
    clock.now += 50  # 10 s of cooldown left
    fake_whmcs.fail("WhmcsDetails", TimeoutError())
    fake_whmcs.reply("WhmcsDetails", DETAILS)  # a retry would find this

    with pytest.raises(WhmcsTimeoutError):  # what WHMCS did, not "circuit open"
        await whmcs.details(diagnostic=True)

    assert len(fake_whmcs.calls_for("WhmcsDetails")) == 1  # never retried
    status = whmcs.breaker.status()
    assert (status.state, status.failures) == (CircuitState.OPEN, 4)
    assert status.retry_after_s == pytest.approx(60)  # the cooldown starts again


# --- WHMCS_BREAKER_THRESHOLD and WHMCS_BREAKER_COOLDOWN are real, checked settings -----------


def test_breaker_settings_are_read() -> None:
    env = {"WHMCS_BREAKER_THRESHOLD": "7", "WHMCS_BREAKER_COOLDOWN": "12.5"}

    whmcs = Settings.from_env(env, env_file=None).whmcs

    assert (whmcs.breaker_threshold, whmcs.breaker_cooldown_s) == (7, 12.5)
    defaults = Settings.from_env({}, env_file=None).whmcs
    assert (defaults.breaker_threshold, defaults.breaker_cooldown_s) == (5, 30.0)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("WHMCS_BREAKER_THRESHOLD", "0", "between 1 and 1000"),
        ("WHMCS_BREAKER_THRESHOLD", "1001", "between 1 and 1000"),
        ("WHMCS_BREAKER_THRESHOLD", "2.5", "must be a number"),
        ("WHMCS_BREAKER_THRESHOLD", "five", "must be a number"),
        ("WHMCS_BREAKER_COOLDOWN", "0", "between 0.1 and 3600"),
        ("WHMCS_BREAKER_COOLDOWN", "-5", "between 0.1 and 3600"),
        ("WHMCS_BREAKER_COOLDOWN", "nan", "between 0.1 and 3600"),
        ("WHMCS_BREAKER_COOLDOWN", "inf", "between 0.1 and 3600"),
        ("WHMCS_BREAKER_COOLDOWN", "1e9", "between 0.1 and 3600"),
        ("WHMCS_BREAKER_COOLDOWN", "soon", "must be a number"),
    ],
)
def test_bad_breaker_settings_stop_start_up_naming_the_variable(
    name: str, value: str, says: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({name: value}, env_file=None)
    assert str(caught.value).startswith(name)
    assert says in str(caught.value)


def test_the_breaker_settings_are_documented() -> None:
    """Each setting is in .env.example and the README's configuration table."""
    root = Path(__file__).resolve().parents[3]
    example = (root / ".env.example").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    for name in ("WHMCS_BREAKER_THRESHOLD", "WHMCS_BREAKER_COOLDOWN"):
        assert f"\n{name}=" in example
        assert f"| `{name}` |" in readme
