"""The app factory: settings in, a Starlette app out. The lifespan owns every resource."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import aiohttp
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

import models
from graph.schema import build_schema
from graph.security import Limits
from graph.view import GRAPHIQL_URL_PREFIX, BridgeGraphQL
from integrations.whmcs.breaker import CircuitBreaker
from integrations.whmcs.cache import MemoryBackend, RedisBackend, WhmcsReadCache
from integrations.whmcs.client import WhmcsClient
from integrations.whmcs.sandbox import SandboxConfig, start_sandbox
from integrations.whmcs.sync.audit import AuditSettings
from integrations.whmcs.sync.base import SyncOptions
from integrations.whmcs.sync.bridge import Bridge
from integrations.whmcs.sync.connection import ConnectionReport
from integrations.whmcs.sync.mapping import FieldMapping
from integrations.whmcs.sync.registry import load_mapping
from integrations.whmcs.sync.stores import client_store_connections, verify_client_store
from models import SyncOperation
from whmcs_bridge.browser import HostAllowList, SecurityHeaders
from whmcs_bridge.db import tortoise_config
from whmcs_bridge.metrics import Metrics, MetricsEndpoint
from whmcs_bridge.observe import OperationObserver, RequestObserver, RootFields
from whmcs_bridge.ratelimit import MemoryRateLimiter, RedisRateLimiter
from whmcs_bridge.security import GraphQLGate
from whmcs_bridge.settings import Settings
from whmcs_bridge.shutdown import drain_on_stop_signals
from whmcs_bridge.tokens import Principal, TokenVerifier, serving_tokens_exist

logger = logging.getLogger("whmcs_bridge")

# GraphiQL's files, fetched from the npm registry by scripts/fetch_graphiql.py (not in git).
GRAPHIQL_DIR = Path(__file__).parent / "static" / "graphiql"

SANDBOX_BANNER = """
==========================================================================
  WHMCS SANDBOX MODE: WHMCS_API_URL is not set, so whmcs-bridge talks to
  its built-in WHMCS emulator at %s with demo data.
  Nothing reaches a real WHMCS. Set WHMCS_API_URL, WHMCS_API_IDENTIFIER
  and WHMCS_API_SECRET (see .env.example) to connect yours.
==========================================================================""".rstrip()


def create_app(
    settings: Settings,
    *,
    manage_database: bool = True,
    require_tokens: bool = True,
    sandbox_data: Path | None = None,
) -> Starlette:
    """Build the app. With `manage_database=False` the caller has initialised Tortoise (tests).

    Outside the sandbox demo the app refuses to start while no API token but the demo's exists
    (`require_tokens=False` only for `whmcs-bridge check`, which serves nobody), and refuses the
    demo's token. `sandbox_data`: the file the built-in sandbox keeps its data in (`serve`).
    """
    mapping = load_mapping(settings.field_mapping_file)  # invalid: stops start-up
    if settings.allowed_hosts is None and settings.host in ("0.0.0.0", "::"):
        logger.warning(
            "HOST is %s but ALLOWED_HOSTS is not set: only requests addressed to %s are "
            "answered; set ALLOWED_HOSTS to the names clients use (see .env.example)",
            settings.host,
            ", ".join(settings.served_hosts),
        )
    verifier = TokenVerifier(accept_demo=settings.whmcs.use_sandbox)
    metrics = Metrics() if settings.metrics_enabled else None
    limiter: MemoryRateLimiter | RedisRateLimiter | None = None
    if settings.rate_limit_per_minute:
        limiter = (
            RedisRateLimiter(settings.redis_url, settings.rate_limit_per_minute)
            if settings.redis_url
            else MemoryRateLimiter(settings.rate_limit_per_minute)
        )
    per_address = settings.rate_limit_unauthenticated_per_minute
    address_limiter = MemoryRateLimiter(per_address) if per_address else None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if manage_database:
                extra = client_store_connections(mapping)
                await stack.enter_async_context(
                    RegisterTortoise(
                        app,
                        config=tortoise_config(settings.database_url, extra_connections=extra),
                    )
                )
            if isinstance(limiter, RedisRateLimiter):
                stack.push_async_callback(limiter.close)
            needs_token = require_tokens and not settings.whmcs.use_sandbox
            if needs_token and not await serving_tokens_exist():
                raise NoTokensError(NO_TOKENS)
            app.state.sandbox = None
            app.state.verifier = verifier
            if metrics is not None:
                stack.callback(metrics.process_exited)
            app.state.bridge = bridge = await _build_bridge(
                settings, mapping, stack, app, metrics, sandbox_data
            )
            await verify_client_store(bridge.local_clients)  # [client.table]: it must exist
            if bridge.whmcs is not None:
                stack.enter_context(drain_on_stop_signals(bridge.whmcs.stop_new_calls))
            yield

    limits = Limits(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        introspection=settings.introspection,
    )
    roots = RootFields()
    graphql = BridgeGraphQL(
        build_schema(limits, observers=[lambda: OperationObserver(roots)]),
        graphql_ide="graphiql" if settings.graphiql else None,
    )
    # The gate wraps the endpoint itself: whatever reaches GraphQL, by whatever path, passed it.
    gate = GraphQLGate(
        graphql,
        verifier=verifier,
        limiter=limiter,
        address_limiter=address_limiter,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_s=settings.http.body_timeout_s,
        anonymous=(
            Principal("demo-anonymous", models.TokenScope.WRITE)
            if settings.anonymous_allowed
            else None
        ),
        page=graphql.graphiql_page if settings.graphiql else None,
    )
    routes: list[BaseRoute] = [
        Route("/graphql", gate),  # every method: the gate answers those GraphQL does not serve
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
    if metrics is not None:
        endpoint = MetricsEndpoint(metrics, verifier)
        routes.append(Route("/metrics", endpoint.handle, methods=["GET"]))
    if settings.graphiql and GRAPHIQL_DIR.is_dir():  # else the IDE says how to fetch the files
        graphql.graphiql_dir = GRAPHIQL_DIR
        routes.append(
            Mount(
                GRAPHIQL_URL_PREFIX.rstrip("/"),
                StaticFiles(directory=GRAPHIQL_DIR),
                name="graphiql-static",
            )
        )
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestObserver, metrics=metrics, access_log=settings.access_log),
            Middleware(SecurityHeaders),
            Middleware(HostAllowList, allowed=settings.served_hosts),
            *_cors(settings),
        ],
        lifespan=lifespan,
    )


NO_TOKENS = (
    "no API token exists (the sandbox demo's does not count with a real WHMCS), so nobody could "
    "use this server: create one with `whmcs-bridge tokens create NAME --scope write`"
)


class NoTokensError(RuntimeError):
    """The server would start with nobody allowed in."""


async def _build_bridge(
    settings: Settings,
    mapping: FieldMapping,
    stack: AsyncExitStack,
    app: Starlette,
    metrics: Metrics | None = None,
    sandbox_data: Path | None = None,
) -> Bridge:
    whmcs_settings = settings.whmcs
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=whmcs_settings.max_concurrency * 2, ttl_dns_cache=300),
        headers={"User-Agent": "whmcs-bridge"},
    )
    stack.push_async_callback(session.close)
    whmcs: WhmcsClient | None = None
    if whmcs_settings.use_sandbox:
        sandbox_config = SandboxConfig(
            identifier=secrets.token_urlsafe(16), secret=secrets.token_urlsafe(24)
        )
        sandbox = await start_sandbox(sandbox_config, data_file=sandbox_data)
        stack.push_async_callback(sandbox.stop)
        app.state.sandbox = sandbox
        logger.warning(SANDBOX_BANNER, sandbox.url)
        api_url, identifier, secret = sandbox.url, sandbox_config.identifier, sandbox_config.secret
        access_key = None
    else:
        # Settings.from_env guarantees these when WHMCS_API_URL is set.
        api_url = str(whmcs_settings.api_url)
        identifier, secret = str(whmcs_settings.identifier), str(whmcs_settings.secret)
        access_key = str(whmcs_settings.access_key) if whmcs_settings.access_key else None
    whmcs = WhmcsClient(
        api_url=api_url,
        identifier=identifier,
        secret=secret,
        access_key=access_key,
        session=session,
        timeout_s=whmcs_settings.timeout_s,
        max_concurrency=whmcs_settings.max_concurrency,
        breaker=CircuitBreaker(
            threshold=whmcs_settings.breaker_threshold,
            cooldown_s=whmcs_settings.breaker_cooldown_s,
            on_change=metrics.breaker_changed if metrics else None,
        ),
        metrics=metrics.whmcs if metrics else None,
    )
    if settings.redis_url:
        backend: MemoryBackend | RedisBackend = RedisBackend(settings.redis_url)
    else:
        backend = MemoryBackend()
    stack.push_async_callback(backend.close)
    return Bridge(
        whmcs=whmcs,
        cache=WhmcsReadCache(
            backend,
            ttl_s=settings.cache_ttl_s,
            enabled=settings.cache_enabled,
            observer=metrics.cache_lookup if metrics else None,
        ),
        mapping=mapping,
        options=SyncOptions(
            skip_validation=whmcs_settings.skip_validation,
            send_welcome_email=whmcs_settings.send_welcome_email,
            lease_s=whmcs_settings.claim_lease_s,
            crash_at=settings.crash_at,
        ),
        audit_settings=AuditSettings(
            enabled=settings.log_enabled,
            log_requests=settings.log_requests,
            log_responses=settings.log_responses,
            on_write=metrics.audit_row if metrics else None,
            secrets=tuple(s for s in (identifier, secret, access_key) if s),
        ),
        enabled=whmcs_settings.enabled,
        sandbox=whmcs_settings.use_sandbox,
    )


def _cors(settings: Settings) -> list[Middleware]:
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            allow_credentials=False,  # the token travels in a header; no cookie is ever used
            max_age=600,
        )
    ]


async def healthz(request: Request) -> JSONResponse:
    """Liveness: the process answers. Needs nothing else."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers. WHMCS is not checked (connectionTest does that)."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any driver failure means "not ready"; the reason goes to the log
        logger.warning("Readiness check failed: the database does not answer", exc_info=True)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


async def connection_check(settings: Settings) -> ConnectionReport:
    """`whmcs-bridge check`: the connectionTest, through the same wiring as the server."""
    app = create_app(settings, require_tokens=False)
    async with app.router.lifespan_context(app):
        bridge: Bridge = app.state.bridge
        audit = bridge.audit(SyncOperation.TEST, correlation_id=str(uuid.uuid4()), actor="cli")
        return await bridge.connection_test(audit)


def app_from_env() -> Starlette:
    """For `uvicorn --factory whmcs_bridge.app:app_from_env` (several workers)."""
    from whmcs_bridge.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.secret_values(), settings.log_format)
    return create_app(settings)
