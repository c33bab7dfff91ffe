"""The gate in front of /graphql: body size, content type, bearer token, rate limit.

Pure ASGI middleware, so refusals cost no GraphQL work. Every refusal is a JSON body in the
GraphQL error shape with an `extensions.code`, and the right HTTP status:

    413 PAYLOAD_TOO_LARGE  body over GRAPHQL_MAX_BODY_BYTES
    415 UNSUPPORTED_MEDIA_TYPE  a POST that is not application/json (form, multipart and
                                text/plain are what a cross-site form can send: CSRF)
    401 UNAUTHENTICATED    no bearer token, or an unknown one
    429 RATE_LIMITED       the token used its budget; Retry-After says when to come back
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from starlette._utils import get_route_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.outage import is_database_outage
from whmcs_bridge.settings import is_loopback_host
from whmcs_bridge.tokens import Principal, TokenVerifier

JSON_TYPES = ("application/json", "application/graphql-response+json")


async def refuse(
    send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    )
    raw_headers = [(b"content-type", b"application/json")]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body.encode()})


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _arrived_on_loopback(scope: Scope) -> bool:
    """The connection came in on a loopback address of this machine (whatever HOST says:
    `uvicorn --factory ... --host 0.0.0.0` cannot tell the settings where it listens)."""
    server = scope.get("server")
    return server is not None and is_loopback_host(str(server[0]))


class RateLimiter(Protocol):
    async def hit(self, key: str) -> float:
        """Count one request for `key`; 0 when allowed, else seconds until it would be."""
        ...


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class MemoryRateLimiter:
    """A token bucket per key: `per_minute` requests a minute, bursts up to `burst`."""

    def __init__(
        self,
        per_minute: int,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst or per_minute)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    async def hit(self, key: str) -> float:
        now = self._clock()
        bucket = self._buckets.get(key) or _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets[key] = bucket
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self._rate


class RedisRateLimiter:
    """A fixed one-minute window per key, shared by every instance."""

    def __init__(self, url: str, per_minute: int, prefix: str = "wb:rate:") -> None:
        from redis.asyncio import Redis

        self._redis: Redis = Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._limit = per_minute
        self._prefix = prefix

    async def hit(self, key: str) -> float:
        window = int(time.time() // 60)
        name = f"{self._prefix}{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, 120)
            count, _ = await pipe.execute()
        if int(count) <= self._limit:
            return 0.0
        return 60 - time.time() % 60

    async def close(self) -> None:
        await self._redis.aclose()


class GraphQLGate:
    """Guards one path (/graphql). GraphiQL's page itself (GET text/html) needs no token."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        verifier: TokenVerifier,
        limiter: RateLimiter | None,
        max_body_bytes: int,
        anonymous: Principal | None = None,
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.anonymous = anonymous
        self.limiter = limiter
        self.max_body = max_body_bytes
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The path as routed: behind a proxy prefix (ROOT_PATH) scope["path"] starts with it.
        if scope["type"] != "http" or get_route_path(scope) != self.path:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "GET" and "text/html" in _header(scope, b"accept"):
            await self.app(scope, receive, send)  # the IDE page; its queries carry the token
            return
        if method == "POST":
            content_type = _header(scope, b"content-type").split(";", 1)[0].strip().lower()
            if content_type not in JSON_TYPES:
                await refuse(
                    send,
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "POST /graphql needs Content-Type: application/json.",
                )
                return
            declared = _header(scope, b"content-length")
            if declared.isdigit() and int(declared) > self.max_body:
                await self._too_large(send)
                return
        try:
            principal = await self._principal(scope)
        except Exception as exc:  # the token lookup needs the database
            if not is_database_outage(exc):
                raise
            await refuse(
                send,
                503,
                "DATABASE_UNAVAILABLE",
                "The database is unavailable; nothing was changed. Retry in a moment.",
                {"Retry-After": "5"},
            )
            return
        if principal is None:
            await refuse(
                send,
                401,
                "UNAUTHENTICATED",
                "Send a valid API token: Authorization: Bearer <token> "
                "(create one with `whmcs-bridge tokens create NAME --scope read|write`).",
                {"WWW-Authenticate": "Bearer"},
            )
            return
        if self.limiter is not None:
            wait = await self.limiter.hit(principal.name)
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                await refuse(
                    send,
                    429,
                    "RATE_LIMITED",
                    f"Too many requests for token {principal.name!r}; retry in {seconds} s.",
                    {"Retry-After": str(seconds)},
                )
                return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, self._limited(receive, send), send)

    async def _principal(self, scope: Scope) -> Principal | None:
        presented = _header(scope, b"authorization")
        if not presented and self.anonymous is not None and _arrived_on_loopback(scope):
            return self.anonymous  # the sandbox demo only; a token given is still checked
        scheme, _, token = presented.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return await self.verifier.verify(token.strip())

    def _limited(self, receive: Receive, send: Send) -> Receive:
        """Count the body as it streams: a missing or false Content-Length is no way around."""
        seen = 0
        limit = self.max_body

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLargeError
            return message

        return wrapped

    async def _too_large(self, send: Send) -> None:
        await refuse(
            send,
            413,
            "PAYLOAD_TOO_LARGE",
            f"The request body is over {self.max_body} bytes.",
        )


class BodyTooLargeError(Exception):
    """Raised inside a request whose streamed body passed the limit."""


class BodyLimitGuard:
    """Turns BodyTooLargeError from deeper layers into a 413 (outermost of the gate)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except BodyTooLargeError:
            if started:
                raise
            await refuse(
                send, 413, "PAYLOAD_TOO_LARGE", f"The request body is over {self.max_body} bytes."
            )
