"""The WHMCS API client: one transport for every action, and the facade resources hang off.

Transport rules (whmcs-api.md sections 1 and 6):

- Form POST to ``<base>/includes/api.php`` with ``responsetype=json``, ``action``,
  ``identifier``, ``secret`` and, if configured, ``accesskey``. Redirects are not followed.
- Parameters: None is dropped, ints become decimal text, booleans become ``1``/``0``. WHMCS
  documents ``true`` or ``1`` for true; for false, PHP treats the string ``"false"`` as *true*,
  so ``0`` is the only spelling that is false everywhere.
- The body is always read and parsed, whatever the status (see :mod:`.answer`).
- At most ``max_concurrency`` calls are in flight at once.
- Reads (``Get*``, ``WhmcsDetails``) are retried on :class:`WhmcsUnavailableError` with capped
  exponential backoff and full jitter. Writes are never retried: WHMCS has no idempotency keys.
- A circuit breaker fails calls fast while WHMCS is down (see :mod:`.breaker`); a diagnostic
  call (the connection test) goes through it, once, whatever its state.
- The observer sees one :class:`CallRecord` per call (after retries), success or failure.
- ``metrics`` (optional, :class:`CallMetrics`) hears of every request sent, with its
  :class:`CallOutcome` and duration, and of every call not sent (circuit open, shutting down).
- After :meth:`WhmcsClient.stop_new_calls` (the server is stopping) nothing new is sent: calls
  already sent finish, each within the timeout; the others fail at once, not sent.
- Nothing logged or raised contains the form, the credentials or whole payloads.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from integrations.whmcs.answer import Answer, read_answer
from integrations.whmcs.breaker import CircuitBreaker
from integrations.whmcs.call_record import CallRecord
from integrations.whmcs.errors import (
    WhmcsApiError,
    WhmcsAuthError,
    WhmcsCircuitOpenError,
    WhmcsConnectionError,
    WhmcsError,
    WhmcsShuttingDownError,
    WhmcsTimeoutError,
    WhmcsUnavailableError,
)
from integrations.whmcs.normalise import WhmcsShapeError
from integrations.whmcs.records import WhmcsDetails
from integrations.whmcs.redact import redact, sensitive_values
from integrations.whmcs.resources import (
    ClientsResource,
    DomainsResource,
    InvoicesResource,
    OrdersResource,
    Params,
    ServicesResource,
    TicketsResource,
    shape_error,
)

__all__ = [
    "AUTH_FIELDS",
    "CallMetrics",
    "CallObserver",
    "CallOutcome",
    "CallRecord",
    "NotSent",
    "WhmcsClient",
    "api_endpoint",
    "backoff_delay",
    "call_outcome",
    "encode_params",
    "is_read_action",
]

logger = logging.getLogger(__name__)

_API_PATH = "/includes/api.php"
#: Form fields that carry credentials: never logged, never in a CallRecord.
AUTH_FIELDS = frozenset({"identifier", "secret", "username", "password", "accesskey"})
_RESERVED_FIELDS = AUTH_FIELDS | {"action", "responsetype"}


def api_endpoint(url: str) -> str:
    """The ``includes/api.php`` URL for a WHMCS base URL.

    ``https://billing.example.com/whmcs/`` gives ``https://billing.example.com/whmcs/includes/api.php``;
    a URL that already ends in ``/includes/api.php`` (with or without a trailing slash) is kept.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            "WHMCS_API_URL must be an http(s) URL such as https://billing.example.com/whmcs"
        )
    path = parts.path.rstrip("/")
    if not path.lower().endswith(_API_PATH):
        path += _API_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def is_read_action(action: str) -> bool:
    """Whether ``action`` only reads (and so may be retried): ``Get*`` and ``WhmcsDetails``."""
    folded = action.lower()
    return folded.startswith("get") or folded == "whmcsdetails"


def encode_params(params: Params | None) -> dict[str, str]:
    """The form fields for ``params``: None dropped, booleans as ``1``/``0``, ints as text."""
    form: dict[str, str] = {}
    for key, value in (params or {}).items():
        if key.lower() in _RESERVED_FIELDS:
            raise ValueError(f"{key!r} is set by the client, not by callers")
        if value is None:
            continue
        if isinstance(value, bool):
            form[key] = "1" if value else "0"
        else:
            form[key] = str(value)
    return form


def backoff_delay(
    retry: int,
    *,
    base_s: float,
    cap_s: float,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``retry`` (0-based): full jitter, capped."""
    return rand() * min(cap_s, base_s * 2.0**retry)


CallObserver = Callable[[CallRecord], Awaitable[None]]


class CallOutcome(StrEnum):
    """What one request sent to WHMCS came to, for an operator's dashboard."""

    SUCCESS = "success"
    REJECTED = "rejected"  # WHMCS ran the action and said no (result=error)
    UNAVAILABLE = "unavailable"  # no usable answer: timeout, refused, error page, not WHMCS
    AUTH_FAILED = "auth_failed"  # credentials, IP allow-list or API role refused it
    OUTCOME_UNKNOWN = "outcome_unknown"  # a write whose answer never came: it may have happened


def call_outcome(error: WhmcsError | None) -> CallOutcome:
    if error is None:
        return CallOutcome.SUCCESS
    if error.outcome_unknown:
        return CallOutcome.OUTCOME_UNKNOWN
    if isinstance(error, WhmcsAuthError):
        return CallOutcome.AUTH_FAILED
    if isinstance(error, WhmcsApiError):
        return CallOutcome.REJECTED
    return CallOutcome.UNAVAILABLE


class NotSent(StrEnum):
    CIRCUIT_OPEN = "circuit_open"
    SHUTTING_DOWN = "shutting_down"


class CallMetrics(Protocol):
    """Told of every request to WHMCS; the app counts them (no import of the app here)."""

    def sent(self, action: str, outcome: CallOutcome, seconds: float) -> None: ...
    def not_sent(self, action: str, reason: NotSent) -> None: ...


@dataclass(slots=True)
class _Lifecycle:
    stopping: bool = False


@dataclass(frozen=True, slots=True)
class _Transport:
    """Settings and shared state: one per configured WHMCS, shared by observer copies."""

    url: str
    auth: Mapping[str, str]
    secrets: tuple[str, ...]
    session: aiohttp.ClientSession
    timeout_s: float
    semaphore: asyncio.Semaphore
    read_retries: int
    backoff_base_s: float
    backoff_cap_s: float
    sleep: Callable[[float], Awaitable[None]]
    breaker: CircuitBreaker
    metrics: CallMetrics | None = None
    lifecycle: _Lifecycle = field(default_factory=_Lifecycle)
    max_concurrency: int = 1  # the semaphore's size

    async def exchange(self, action: str, fields: Mapping[str, str], *, write: bool) -> Answer:
        """One POST: the answer, or the transport failure it ran into.

        Raises WhmcsShuttingDownError, having sent nothing, once the server is stopping.
        """
        # The bound is taken before the clock starts.
        async with self.semaphore:
            if self.lifecycle.stopping:
                if self.metrics is not None:
                    self.metrics.not_sent(action, NotSent.SHUTTING_DOWN)
                raise WhmcsShuttingDownError(action)
            started = time.perf_counter()
            answer = await self._post(action, fields, write=write)
            if self.metrics is not None:
                self.metrics.sent(action, call_outcome(answer.error), time.perf_counter() - started)
            return answer

    async def _post(self, action: str, fields: Mapping[str, str], *, write: bool) -> Answer:
        form = {**fields, "action": action, "responsetype": "json", **self.auth}
        try:
            # aiohttp's total timeout applies, with asyncio's as a backstop for anything that
            # escapes it (e.g. a stalled read).
            async with (
                asyncio.timeout(self.timeout_s),
                self.session.post(
                    self.url,
                    data=form,
                    allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                ) as resp,
            ):
                raw = await resp.read()
                status, location = resp.status, resp.headers.get("Location")
        except aiohttp.ConnectionTimeoutError as exc:  # before a connection existed: not sent
            return Answer(None, None, self._timeout(action, exc, outcome_unknown=False))
        except TimeoutError as exc:  # also aiohttp.ServerTimeoutError
            return Answer(None, None, self._timeout(action, exc, outcome_unknown=write))
        except (aiohttp.ClientConnectorError, aiohttp.InvalidURL) as exc:  # never sent
            return Answer(None, None, self._unreachable(action, exc, outcome_unknown=False))
        except aiohttp.ClientError as exc:  # reset/disconnect after sending: may have arrived
            return Answer(None, None, self._unreachable(action, exc, outcome_unknown=write))
        # Besides the credentials, what this call sent under a sensitive key (password2) must
        # not come back in a message if WHMCS echoes it.
        secrets = (*self.secrets, *sensitive_values(fields))
        return read_answer(action, status, raw, write=write, secrets=secrets, location=location)

    def _timeout(self, action: str, exc: BaseException, *, outcome_unknown: bool) -> WhmcsError:
        text = f"WHMCS did not answer {action} within {self.timeout_s:g} s"
        return _no_answer(WhmcsTimeoutError, action, text, exc, outcome_unknown)

    def _unreachable(self, action: str, exc: BaseException, *, outcome_unknown: bool) -> WhmcsError:
        # The exception type says what failed; its text may quote the URL, so it is left out.
        text = f"could not reach WHMCS for {action} ({type(exc).__name__})"
        return _no_answer(WhmcsConnectionError, action, text, exc, outcome_unknown)


def _no_answer(
    kind: type[WhmcsError], action: str, text: str, cause: BaseException, outcome_unknown: bool
) -> WhmcsError:
    unknown = "; the change may have been made" if outcome_unknown else ""
    error = kind(action, text + unknown, outcome_unknown=outcome_unknown)
    error.__cause__ = cause
    return error


class WhmcsClient:
    """Calls WHMCS's ``includes/api.php``. Build one per app; it shares the given session.

    Every call raises a :class:`~integrations.whmcs.errors.WhmcsError` subclass on failure.
    """

    clients: ClientsResource
    services: ServicesResource
    invoices: InvoicesResource
    orders: OrdersResource
    tickets: TicketsResource
    domains: DomainsResource

    def __init__(
        self,
        *,
        api_url: str,
        identifier: str,
        secret: str,
        access_key: str | None = None,
        session: aiohttp.ClientSession,
        timeout_s: float = 30.0,
        max_concurrency: int = 8,
        read_retries: int = 2,
        backoff_base_s: float = 0.25,
        backoff_cap_s: float = 4.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        observer: CallObserver | None = None,
        breaker: CircuitBreaker | None = None,
        metrics: CallMetrics | None = None,
    ) -> None:
        if not identifier or not secret:
            raise ValueError("WHMCS identifier and secret are required")
        if timeout_s <= 0 or max_concurrency < 1 or read_retries < 0:
            raise ValueError("timeout_s > 0, max_concurrency >= 1 and read_retries >= 0 required")
        auth = {"identifier": identifier, "secret": secret}
        if access_key:
            auth["accesskey"] = access_key
        transport = _Transport(
            url=api_endpoint(api_url),
            auth=auth,
            secrets=tuple(auth.values()),
            session=session,
            timeout_s=timeout_s,
            semaphore=asyncio.Semaphore(max_concurrency),
            max_concurrency=max_concurrency,
            read_retries=read_retries,
            backoff_base_s=backoff_base_s,
            backoff_cap_s=backoff_cap_s,
            sleep=sleep,
            breaker=breaker or CircuitBreaker(),
            metrics=metrics,
        )
        self._setup(transport, observer)

    def _setup(self, transport: _Transport, observer: CallObserver | None) -> None:
        self._transport = transport
        self._observer = observer
        self.clients = ClientsResource(self)
        self.services = ServicesResource(self)
        self.invoices = InvoicesResource(self)
        self.orders = OrdersResource(self)
        self.tickets = TicketsResource(self)
        self.domains = DomainsResource(self)

    def with_observer(self, observer: CallObserver | None) -> WhmcsClient:
        """A copy that reports to ``observer``, sharing session, concurrency bound and settings."""
        clone = WhmcsClient.__new__(WhmcsClient)
        clone._setup(self._transport, observer)
        return clone

    @property
    def max_concurrency(self) -> int:
        """At most this many calls are in flight at once (WHMCS_MAX_CONCURRENCY)."""
        return self._transport.max_concurrency

    def stop_new_calls(self) -> None:
        """The server is stopping: calls already sent finish; nothing new is sent (every copy
        made by `with_observer` shares this)."""
        self._transport.lifecycle.stopping = True

    def __repr__(self) -> str:
        t = self._transport
        return (
            f"WhmcsClient(api_url={_without_userinfo(t.url)!r}, timeout_s={t.timeout_s!r}, "
            f"read_retries={t.read_retries!r})"
        )

    @property
    def breaker(self) -> CircuitBreaker:
        """The circuit breaker in front of this WHMCS (shared by every observer copy)."""
        return self._transport.breaker

    async def call(
        self, action: str, params: Params | None = None, *, diagnostic: bool = False
    ) -> dict[str, Any]:
        """Run one WHMCS action and return its ``result=success`` body.

        ``diagnostic``: one attempt that the circuit breaker never holds back (the connection
        test must see WHMCS as it is now); its outcome still counts, so a success closes the
        circuit at once.

        Raises a :class:`~integrations.whmcs.errors.WhmcsError` subclass; ``ValueError`` if
        ``params`` tries to set ``action``, ``responsetype`` or a credential. An exception
        raised by the observer propagates.
        """
        t = self._transport
        fields = encode_params(params)
        read = is_read_action(action)
        max_attempts = 1 + (t.read_retries if read and not diagnostic else 0)
        started = time.perf_counter()
        attempts = 0
        while True:
            wait = 0.0 if diagnostic else t.breaker.admit()
            if wait > 0 and attempts:
                break  # opened while retrying: report the last real answer
            if wait > 0:  # WHMCS is down: nothing is sent, so nothing reached it to record
                if t.metrics is not None:
                    t.metrics.not_sent(action, NotSent.CIRCUIT_OPEN)
                raise WhmcsCircuitOpenError(action, retry_after_s=wait, failures=t.breaker.failures)
            try:
                answer = await t.exchange(action, fields, write=not read)
            except WhmcsShuttingDownError:
                if not attempts:
                    raise
                break  # a read stopped between retries: report its last real answer
            attempts += 1
            if isinstance(answer.error, WhmcsUnavailableError):
                t.breaker.failed()
            else:
                t.breaker.succeeded()
            if not isinstance(answer.error, WhmcsUnavailableError) or attempts >= max_attempts:
                break
            await t.sleep(
                backoff_delay(attempts - 1, base_s=t.backoff_base_s, cap_s=t.backoff_cap_s)
            )
        duration_ms = round((time.perf_counter() - started) * 1000)
        logger.debug(
            "WHMCS %s -> %s in %d ms, %d attempt(s)%s",
            action,
            "no answer" if answer.status is None else f"HTTP {answer.status}",
            duration_ms,
            attempts,
            f", {answer.error.kind}" if answer.error else "",
        )
        if self._observer is not None:
            secrets = (*t.secrets, *sensitive_values(fields))  # as sent, and as echoed back
            await self._observer(
                CallRecord.of_answer(
                    action, redact(fields, secrets), answer, secrets, duration_ms, attempts
                )
            )
        if answer.error is not None:
            raise answer.error
        assert answer.body is not None  # a success always has a parsed body
        return answer.body

    async def details(self, *, diagnostic: bool = False) -> WhmcsDetails:
        """The WHMCS version (``WhmcsDetails``, 8.0+). ``diagnostic``: see :meth:`call`.

        Raises :class:`~integrations.whmcs.errors.WhmcsCommandNotFoundError` on older WHMCS
        and :class:`~integrations.whmcs.errors.WhmcsPermissionError` if the API role lacks it.
        """
        body = await self.call("WhmcsDetails", diagnostic=diagnostic)
        try:
            return WhmcsDetails.from_body(body)
        except WhmcsShapeError as exc:
            raise shape_error("WhmcsDetails", exc) from exc
