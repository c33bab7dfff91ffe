"""A circuit breaker for WHMCS: fail fast while it is down, try again by itself.

Closed: calls go through; consecutive *transport* failures (timeouts, refused connections, 5xx
pages) are counted, any answer from WHMCS resets the count. After `threshold` of them it opens:
calls fail at once with WhmcsCircuitOpenError, saying when to retry, and nothing is sent. After
`cooldown_s` one probe call is let through (half-open): its success closes the circuit, its
failure opens it again for another cooldown. The state is per process: each instance judges the
WHMCS it can reach.

A diagnostic call (the connection test) is never held back: it asks `admit` nothing and reports
its outcome like any other call, so its success closes the circuit at once and its transport
failure counts (and restarts the cooldown while open).

`on_change` (optional) hears each change of state as it happens: OPEN when the circuit opens,
HALF_OPEN when a probe is let through, CLOSED when WHMCS answers again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass(frozen=True, slots=True)
class BreakerStatus:
    """What the breaker says now, for connectionTest and stats."""

    state: CircuitState
    failures: int
    threshold: int
    cooldown_s: float
    retry_after_s: float | None  # OPEN only: seconds until a probe may go


class CircuitBreaker:
    def __init__(
        self,
        *,
        threshold: int = 5,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[CircuitState], None] | None = None,
    ) -> None:
        if threshold < 1 or cooldown_s <= 0:
            raise ValueError("threshold >= 1 and cooldown_s > 0 required")
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self.failures = 0
        self._opened_at: float | None = None
        self._probing = False
        self._on_change = on_change
        self._told = CircuitState.CLOSED

    @property
    def state(self) -> CircuitState:
        return self.status().state

    def status(self) -> BreakerStatus:
        wait = None
        if self._opened_at is None:
            state = CircuitState.CLOSED
        else:
            waited = self._clock() - self._opened_at
            if waited >= self.cooldown_s:
                state = CircuitState.HALF_OPEN
            else:
                state, wait = CircuitState.OPEN, self.cooldown_s - waited
        return BreakerStatus(state, self.failures, self.threshold, self.cooldown_s, wait)

    def admit(self) -> float:
        """0 when a call may go; else the seconds until the next try is allowed."""
        if self._opened_at is None:
            return 0.0
        waited = self._clock() - self._opened_at
        if waited < self.cooldown_s:
            return self.cooldown_s - waited
        if self._probing:
            return 1.0  # one probe at a time while half-open
        self._probing = True
        self._tell(CircuitState.HALF_OPEN)
        return 0.0

    def succeeded(self) -> None:
        """WHMCS answered (even with a business error): it is up."""
        self.failures = 0
        self._opened_at = None
        self._probing = False
        self._tell(CircuitState.CLOSED)

    def failed(self) -> None:
        """A transport failure: WHMCS could not be reached or did not answer."""
        self.failures += 1
        self._probing = False
        if self._opened_at is not None or self.failures >= self.threshold:
            self._opened_at = self._clock()
            self._tell(CircuitState.OPEN)

    def _tell(self, state: CircuitState) -> None:
        if state != self._told:
            self._told = state
            if self._on_change is not None:
                self._on_change(state)
