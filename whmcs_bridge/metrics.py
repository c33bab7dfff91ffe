"""Prometheus metrics: what is counted, the hooks that count it, and what GET /metrics shows.

Counted in each process (with `serve --workers N`, prometheus-client's multiprocess mode adds
the workers up):

    whmcs_bridge_graphql_requests_total{operation,outcome}
    whmcs_bridge_graphql_request_duration_seconds{operation}        histogram
    whmcs_bridge_whmcs_calls_total{action,outcome}                   one per request sent
    whmcs_bridge_whmcs_call_duration_seconds{action}                 histogram
    whmcs_bridge_whmcs_calls_not_sent_total{action,reason}           circuit_open, shutting_down
    whmcs_bridge_whmcs_breaker_state{state}                          1 for the current state
    whmcs_bridge_cache_hits_total{kind}, _misses_total{kind}, _unavailable_total{kind}
    whmcs_bridge_audit_rows_written_total{operation,status}

Read from the database at each scrape (the same for every instance):

    whmcs_bridge_links{status}              sync-map links: SYNCED, PENDING, ERROR
    whmcs_bridge_links_stale_pending        PENDING links nobody holds (outcome unknown)
    whmcs_bridge_database_up                0 when the database did not answer the scrape

No label holds data from a request: `operation` is one of the schema's root fields (or
`multiple`, `introspection`, `unknown`), `action` a WHMCS action name the code sends, the others
small fixed sets.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, values
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

import models
from graph.outage import is_database_outage
from integrations.whmcs.client import CallOutcome, NotSent
from integrations.whmcs.sync.reports import stats
from whmcs_bridge.tokens import TokenVerifier, bearer_token, digest

logger = logging.getLogger(__name__)

# Seconds. WHMCS-bound operations take up to the WHMCS timeout (30 s by default).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
BREAKER_STATES = ("closed", "half-open", "open")
# The module reads (WhmcsReadCache.read) count under their own kind.
CACHE_KINDS = ("client", "client_page", "service", "invoice", "order", "ticket", "domain")
_ACTION = re.compile(r"^[A-Za-z]{1,64}$")
_ALL_SCOPES = frozenset(models.TokenScope)
SCRAPE_DB_TIMEOUT_S = 5.0


def multiprocess_mode() -> bool:
    """Whether prometheus-client writes to PROMETHEUS_MULTIPROC_DIR (chosen at its import)."""
    return values.ValueClass is not values.MutexValue


def _action_label(action: str) -> str:
    return action if _ACTION.match(action) else "other"


class WhmcsCallCounts:
    """The WHMCS client's CallMetrics: counts and times every request sent, and every one not."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.calls = Counter(
            "whmcs_bridge_whmcs_calls",
            "Requests sent to WHMCS, by action and outcome (a retried read counts each try).",
            ["action", "outcome"],
            registry=registry,
        )
        self.duration = Histogram(
            "whmcs_bridge_whmcs_call_duration_seconds",
            "Time WHMCS took to answer one request (or to time out).",
            ["action"],
            buckets=BUCKETS,
            registry=registry,
        )
        self.not_sent_calls = Counter(
            "whmcs_bridge_whmcs_calls_not_sent",
            "WHMCS calls refused before sending: circuit open, or the server is stopping.",
            ["action", "reason"],
            registry=registry,
        )

    def sent(self, action: str, outcome: CallOutcome, seconds: float) -> None:
        label = _action_label(action)
        self.calls.labels(label, outcome.value).inc()
        self.duration.labels(label).observe(seconds)

    def not_sent(self, action: str, reason: NotSent) -> None:
        self.not_sent_calls.labels(_action_label(action), reason.value).inc()


class Metrics:
    """Every metric of one app, in its own registry (tests build many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.multiprocess = multiprocess_mode()
        self.graphql_requests = Counter(
            "whmcs_bridge_graphql_requests",
            "GraphQL requests, by root field and outcome (refusals at the gate included).",
            ["operation", "outcome"],
            registry=r,
        )
        self.graphql_duration = Histogram(
            "whmcs_bridge_graphql_request_duration_seconds",
            "Time from the request's arrival to the end of its answer.",
            ["operation"],
            buckets=BUCKETS,
            registry=r,
        )
        self.whmcs = WhmcsCallCounts(r)
        self.breaker_state = Gauge(
            "whmcs_bridge_whmcs_breaker_state",
            "1 for the WHMCS circuit breaker's state (several workers: how many are in it).",
            ["state"],
            registry=r,
            multiprocess_mode="livesum",
        )
        self.cache_hits = Counter(
            "whmcs_bridge_cache_hits", "WHMCS reads served from the cache.", ["kind"], registry=r
        )
        self.cache_misses = Counter(
            "whmcs_bridge_cache_misses", "WHMCS reads the cache did not have.", ["kind"], registry=r
        )
        self.cache_unavailable = Counter(
            "whmcs_bridge_cache_unavailable",
            "Cache lookups that failed (Redis down): WHMCS answered instead.",
            ["kind"],
            registry=r,
        )
        self.audit_rows = Counter(
            "whmcs_bridge_audit_rows_written",
            "Audit-log rows written, by operation and status.",
            ["operation", "status"],
            registry=r,
        )
        # Every fixed series exists from the start, at 0: a rate needs two samples.
        for kind in CACHE_KINDS:
            for counter in (self.cache_hits, self.cache_misses, self.cache_unavailable):
                counter.labels(kind)
        for operation in models.SyncOperation:
            for status in models.LogStatus:
                self.audit_rows.labels(operation.value, status.value)
        self.breaker_changed("closed")

    # --- hooks handed to the integration -------------------------------------------------

    def breaker_changed(self, state: str) -> None:
        for known in BREAKER_STATES:
            self.breaker_state.labels(known).set(1 if known == state else 0)

    def cache_lookup(self, kind: str, result: str) -> None:
        kind = kind if kind in CACHE_KINDS else "other"
        counter = {"hit": self.cache_hits, "miss": self.cache_misses}.get(
            result, self.cache_unavailable
        )
        counter.labels(kind).inc()

    def audit_row(self, operation: models.SyncOperation, status: models.LogStatus) -> None:
        self.audit_rows.labels(operation.value, status.value).inc()

    def graphql_request(self, operation: str, outcome: str, seconds: float) -> None:
        self.graphql_requests.labels(operation, outcome).inc()
        self.graphql_duration.labels(operation).observe(seconds)

    # --- exposition ----------------------------------------------------------------------

    def process_exited(self) -> None:
        """This worker stops: its live gauges (the breaker state) leave the sums."""
        if self.multiprocess:
            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]

    def _counted(self) -> Collector:
        if not self.multiprocess:
            return self.registry
        merged = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(merged)  # type: ignore[no-untyped-call]  # every worker's files
        return merged

    async def render(self, accept: str) -> tuple[bytes, str]:
        encoder, content_type = choose_encoder(accept)
        scrape = _Scrape([self._counted(), _Fixed(await _database_families())])
        return encoder(scrape), content_type


class _Fixed(Collector):
    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterator[Metric]:
        yield from self._families


class _Scrape(Collector):
    def __init__(self, parts: list[Collector]) -> None:
        self._parts = parts

    def collect(self) -> Iterator[Metric]:
        for part in self._parts:
            yield from part.collect()


def _version() -> str:
    try:
        return version("whmcs-bridge")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


async def _database_families() -> list[Metric]:
    info = GaugeMetricFamily(
        "whmcs_bridge_build_info", "The running version (value 1).", labels=["version"]
    )
    info.add_metric([_version()], 1)
    up = GaugeMetricFamily("whmcs_bridge_database_up", "1 when the database answered the scrape.")
    try:
        async with asyncio.timeout(SCRAPE_DB_TIMEOUT_S):
            totals = await stats()
    except Exception as exc:  # any driver failure: the scrape still shows the process metrics
        if not isinstance(exc, TimeoutError) and not is_database_outage(exc):
            raise
        logger.warning("Metrics: the database did not answer (%s)", type(exc).__name__)
        up.add_metric([], 0)
        return [info, up]
    up.add_metric([], 1)
    links = GaugeMetricFamily(
        "whmcs_bridge_links", "Sync-map links by status (from the database).", labels=["status"]
    )
    for status, n in (
        (models.SyncStatus.SYNCED, totals.synced),
        (models.SyncStatus.PENDING, totals.pending),
        (models.SyncStatus.ERROR, totals.errors),
    ):
        links.add_metric([status.value], n)
    stale = GaugeMetricFamily(
        "whmcs_bridge_links_stale_pending",
        "PENDING links no operation holds: a write whose outcome is unknown, checked against "
        "WHMCS at the next operation on the record.",
        value=totals.stale_pending,
    )
    return [info, up, links, stale]


class MetricsEndpoint:
    """GET /metrics, for a token with the `metrics` scope only.

    Checking the token needs the database. While it is down, a metrics token this process has
    seen valid within the last OUTAGE_MEMORY_S still gets the metrics (with
    whmcs_bridge_database_up 0): an outage is when they are needed most, and they are all a
    metrics token can read. Any other token gets 503.
    """

    OUTAGE_MEMORY_S = 3600.0

    def __init__(self, metrics: Metrics, verifier: TokenVerifier) -> None:
        self.metrics = metrics
        self.verifier = verifier
        self._seen: dict[str, float] = {}  # digest -> when it was last found valid

    async def handle(self, request: Request) -> Response:
        token = bearer_token(request.headers.get("authorization", ""))
        if token is None:
            return _refuse(401, "Send a metrics token: Authorization: Bearer <token>.")
        try:
            async with asyncio.timeout(SCRAPE_DB_TIMEOUT_S):
                principal = await self.verifier.verify(token, scopes=_ALL_SCOPES)
        except Exception as exc:  # the token lookup needs the database
            if not isinstance(exc, TimeoutError) and not is_database_outage(exc):
                raise
            seen = self._seen.get(digest(token))
            if seen is not None and time.monotonic() - seen < self.OUTAGE_MEMORY_S:
                return await self._answer(request)
            return _refuse(503, "The database is unavailable, so the token cannot be checked.")
        if principal is None:
            return _refuse(401, "Unknown API token.")
        if principal.scope is not models.TokenScope.METRICS:
            return _refuse(
                403,
                f"Token {principal.name!r} has the {principal.scope.value} scope; /metrics needs "
                "one made with `whmcs-bridge tokens create NAME --scope metrics`.",
            )
        if len(self._seen) > 1000:
            self._seen.clear()
        self._seen[digest(token)] = time.monotonic()
        return await self._answer(request)

    async def _answer(self, request: Request) -> Response:
        body, content_type = await self.metrics.render(request.headers.get("accept", ""))
        return Response(body, headers={"Content-Type": content_type})


_REFUSAL_HEADERS = {401: {"WWW-Authenticate": "Bearer"}, 503: {"Retry-After": "5"}}


def _refuse(status: int, message: str) -> Response:
    return PlainTextResponse(
        message + "\n", status_code=status, headers=_REFUSAL_HEADERS.get(status)
    )
