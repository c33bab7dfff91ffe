"""What a browser is told and refused: the Host allow-list and the security headers.

`HostAllowList` answers 400 to a request whose Host is not one this server is reached by. A
DNS-rebinding page (evil.example resolving to 127.0.0.1 after it loaded) reaches a local server
under the attacker's name, so the check is what keeps a page on another site from driving a
local demo. Health and metrics probes are exempt: orchestrators send the pod's address as Host,
and those routes carry no client data.

`SecurityHeaders` adds to every answer: `X-Content-Type-Options: nosniff` (a JSON answer is
never run as a script or rendered as HTML), `X-Frame-Options: DENY` and a Content-Security-Policy
(the GraphiQL page sets its own, allowing only its files; anything else gets the strictest),
`Referrer-Policy: no-referrer`, and `Cache-Control: no-store` on GraphQL answers (they hold
personal data: no proxy or browser cache keeps them).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from starlette._utils import get_route_path
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.view import API_CSP, send_error

UNCHECKED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def host_name(header: str) -> str:
    """The name in a Host header: no port, no IPv6 brackets, no trailing dot, lower case."""
    host = header.strip().lower()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def host_allowed(name: str, allowed: Sequence[str]) -> bool:
    for pattern in allowed:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]) and name != pattern[2:]:
            return True
    return False


class HostAllowList:
    def __init__(
        self, app: ASGIApp, allowed: Sequence[str], unchecked: Collection[str] = UNCHECKED_PATHS
    ) -> None:
        self.app = app
        self.allowed = tuple(allowed)
        self.unchecked = unchecked

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or "*" in self.allowed:
            await self.app(scope, receive, send)
            return
        hosts = [value for key, value in scope.get("headers", ()) if key == b"host"]
        name = host_name(hosts[0].decode("latin-1")) if len(hosts) == 1 else ""
        if host_allowed(name, self.allowed) or get_route_path(scope) in self.unchecked:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        shown = f"Host {name[:100]!r}" if name else "A request without one Host header"
        await send_error(
            send,
            400,
            "HOST_NOT_ALLOWED",
            f"{shown} is not served here: list the server's names in ALLOWED_HOSTS.",
        )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, graphql_paths: Collection[str] = ("/graphql",)) -> None:
        self.app = app
        self.graphql_paths = graphql_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        graphql = get_route_path(scope) in self.graphql_paths

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Content-Security-Policy", API_CSP)
                if graphql:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)
