"""The circuit breaker on its own (an injected clock: no sleeping)."""

from __future__ import annotations

import pytest

from integrations.whmcs.breaker import CircuitBreaker


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
