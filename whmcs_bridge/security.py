"""The gate of the GraphQL endpoint: method, content type, body, rate limits, bearer token.

It wraps the endpoint's ASGI app itself (the route's app, not a middleware matching a path),
so every request that reaches GraphQL passes it, whatever the path looked like on the way:
a `--root-path`, a proxy prefix, percent-encoding or a trailing slash are the router's business,
and whatever the router hands to GraphQL comes through here. The one request it lets through
untouched is the GraphiQL page (`page`): a GET or HEAD asking for HTML with no `query` in its
URL, answered by a page that executes nothing and carries no data.

Every refusal is a JSON body in the GraphQL error shape with an `extensions.code`, and the
right HTTP status:

    405 METHOD_NOT_ALLOWED       anything but GET (queries) and POST
    413 PAYLOAD_TOO_LARGE        body over GRAPHQL_MAX_BODY_BYTES (declared or streamed)
    408 REQUEST_TIMEOUT          the body did not arrive within HTTP_BODY_TIMEOUT seconds
    415 UNSUPPORTED_MEDIA_TYPE   a POST that is not application/json (form, multipart and
                                 text/plain are what a cross-site form can send: CSRF)
    401 UNAUTHENTICATED          no bearer token where one is needed, an unknown or revoked one
                                 (refused even where anonymous access is allowed), or two
                                 Authorization headers
    429 RATE_LIMITED             the address spent its budget of unauthenticated requests
                                 (checked before any token lookup), or the token its own;
                                 Retry-After says when to come back
    503 DATABASE_UNAVAILABLE     the token lookup could not reach the database
"""

from __future__ import annotations

import asyncio
import math
import time

from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.outage import is_database_outage
from graph.view import send_error
from whmcs_bridge.ratelimit import RateLimiter, client_key
from whmcs_bridge.settings import is_loopback_host
from whmcs_bridge.tokens import Principal, TokenVerifier

JSON_TYPES = ("application/json", "application/graphql-response+json")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def wants_graphiql(scope: Scope) -> bool:
    """A browser opening the IDE: GET or HEAD, HTML accepted, nothing to execute in the URL."""
    return (
        scope["method"] in ("GET", "HEAD")
        and "text/html" in _header(scope, b"accept")
        and "query" not in QueryParams(scope.get("query_string", b""))
    )


def _arrived_on_loopback(scope: Scope) -> bool:
    """The connection came in on a loopback address of this machine (whatever HOST says:
    `uvicorn --factory ... --host 0.0.0.0` cannot tell the settings where it listens)."""
    server = scope.get("server")
    return server is not None and is_loopback_host(str(server[0]))


class GraphQLGate:
    """Guards the GraphQL endpoint it wraps; see the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        verifier: TokenVerifier,
        limiter: RateLimiter | None,
        address_limiter: RateLimiter | None,
        max_body_bytes: int,
        body_timeout_s: float = 30.0,
        anonymous: Principal | None = None,
        page: ASGIApp | None = None,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.limiter = limiter
        self.address_limiter = address_limiter
        self.max_body = max_body_bytes
        self.body_timeout_s = body_timeout_s
        self.anonymous = anonymous
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # no websockets: nothing here subscribes
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        if self.page is not None and wants_graphiql(scope):
            await self.page(scope, receive, send)
            return
        try:
            self._check_request(scope)
            principal = await self._principal(scope)
            await self._spend_token_budget(principal)
        except RefusedError as refusal:
            await send_error(send, refusal.status, refusal.code, refusal.message, refusal.headers)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self._call_app(scope, receive, send)

    def _check_request(self, scope: Scope) -> None:
        method = scope["method"]
        if method not in ("GET", "POST"):
            raise RefusedError(
                405,
                "METHOD_NOT_ALLOWED",
                "GraphQL is served over POST (and GET for queries).",
                {"Allow": "GET, POST"},
            )
        if method == "POST":
            content_type = _header(scope, b"content-type").split(";", 1)[0].strip().lower()
            if content_type not in JSON_TYPES:
                raise RefusedError(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "POST /graphql needs Content-Type: application/json.",
                )
            declared = _header(scope, b"content-length")
            if declared.isdigit() and int(declared) > self.max_body:
                raise self._too_large()

    async def _principal(self, scope: Scope) -> Principal:
        """Who is calling. The address budget is spent before a token is looked up and given
        back when it is valid: what it counts is requests that did not authenticate."""
        presented = [value for key, value in scope.get("headers", ()) if key == b"authorization"]
        address = client_key(scope)
        await self._spend(self.address_limiter, address, "this address")
        if not presented and self.anonymous is not None and _arrived_on_loopback(scope):
            return self.anonymous  # the sandbox demo only; a token given is still checked
        if len(presented) > 1:
            raise _unauthenticated("Send one Authorization header, not several.")
        scheme, _, token = (presented[0] if presented else b"").decode("latin-1").partition(" ")
        principal = None
        if scheme.lower() == "bearer" and token.strip():
            try:
                principal = await self.verifier.verify(token.strip())
            except Exception as exc:  # the token lookup needs the database
                if not is_database_outage(exc):
                    raise
                raise RefusedError(
                    503,
                    "DATABASE_UNAVAILABLE",
                    "The database is unavailable; nothing was changed. Retry in a moment.",
                    {"Retry-After": "5"},
                ) from None
        if principal is None:
            raise _unauthenticated(
                "Send a valid API token: Authorization: Bearer <token> "
                "(create one with `whmcs-bridge tokens create NAME --scope read|write`)."
            )
        if self.address_limiter is not None:
            await self.address_limiter.refund(address)
        return principal

    async def _spend_token_budget(self, principal: Principal) -> None:
        if principal is not self.anonymous:  # the anonymous demo spends its address's budget
            await self._spend(self.limiter, principal.name, f"token {principal.name!r}")

    @staticmethod
    async def _spend(limiter: RateLimiter | None, key: str, whose: str) -> None:
        if limiter is None:
            return
        wait = await limiter.hit(key)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise RefusedError(
                429,
                "RATE_LIMITED",
                f"Too many requests for {whose}; retry in {seconds} s.",
                {"Retry-After": str(seconds)},
            )

    async def _call_app(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, self._bounded(receive), tracking_send)
        except RefusedError as refusal:  # raised while the body streamed in
            if started:
                raise
            await send_error(send, refusal.status, refusal.code, refusal.message, refusal.headers)

    def _bounded(self, receive: Receive) -> Receive:
        """The body, counted as it streams (a missing or false Content-Length is no way around
        the limit) and timed as a whole (a client trickling it holds a task, not forever)."""
        seen = 0
        deadline: float | None = None
        complete = False

        async def wrapped() -> Message:
            nonlocal seen, deadline, complete
            if complete:  # after the body: a disconnect, whenever it comes
                return await receive()
            now = time.monotonic()
            deadline = deadline or now + self.body_timeout_s
            try:
                async with asyncio.timeout(deadline - now):
                    message = await receive()
            except TimeoutError:
                raise RefusedError(
                    408,
                    "REQUEST_TIMEOUT",
                    f"The request body did not arrive within {self.body_timeout_s:g} s.",
                ) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise self._too_large()
                complete = not message.get("more_body", False)
            return message

        return wrapped

    def _too_large(self) -> RefusedError:
        return RefusedError(
            413, "PAYLOAD_TOO_LARGE", f"The request body is over {self.max_body} bytes."
        )


class RefusedError(Exception):
    """Raised inside the gate (or while the body streams) for a request it answers itself."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def _unauthenticated(message: str) -> RefusedError:
    return RefusedError(401, "UNAUTHENTICATED", message, {"WWW-Authenticate": "Bearer"})
