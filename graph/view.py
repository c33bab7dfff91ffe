"""The GraphQL endpoint: context per request, errors masked and logged once, fast JSON.

A request this layer refuses (malformed JSON, a body that is not an object, a mutation over GET,
no query) gets a 4xx with a JSON error in the GraphQL shape and one log line, never a traceback.
The GraphiQL page is `graphiql_page`, an ASGI app of its own that the token gate serves: it
executes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.base import BaseRequestProtocol
from strawberry.types import ExecutionResult

from graph.context import Context
from graph.outage import is_database_outage

logger = logging.getLogger(__name__)
# At most 36 characters (a UUID's length): the audit log stores it as the correlation id.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,36}$")


# GraphiQL offline: strawberry's page loads these 7 files from a CDN. scripts/fetch_graphiql.py
# takes them from the npm registry at set-up and checks them against the page's SRI hashes; they
# are served from GRAPHIQL_URL_PREFIX, so the page loads nothing from outside this server.
GRAPHIQL_ASSETS = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": (
        "react-dom.production.min.js"
    ),
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": (
        "plugin-explorer.umd.js"
    ),
}
GRAPHIQL_URL_PREFIX = "/static/graphiql/"
GRAPHIQL_FETCH_COMMAND = ".venv/bin/python scripts/fetch_graphiql.py --strict"

# Not `make install`: once its stamp file exists it does nothing, files or not.
_ASSETS_MISSING_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>GraphiQL: assets not installed</title>
<style>body {{ font-family: sans-serif; max-width: 42em; margin: 3em auto; line-height: 1.5 }}
</style>
</head><body>
<h1>GraphiQL is not installed on this server</h1>
<p>GraphiQL is served from this server only (nothing loads from a CDN), and its files are
missing from <code>whmcs_bridge/static/graphiql/</code>: {missing}.</p>
<p>Fetch them from the npm registry (needs <code>npm</code>) with <code>make graphiql</code>,
or run <code>{command}</code> in the project folder, then reload this page. Both fetch the
files whenever they are missing or changed, and stop with the reason when they cannot.</p>
<p>The API itself works: POST your queries to <code>/graphql</code>.</p>
</body></html>
"""

# What GraphiQL opens on (strawberry's page opens on a generic welcome text). A `?q=` in the URL
# still wins. No backquote or ${ here: this goes into a JavaScript template literal.
GRAPHIQL_SAMPLE_QUERY = """# whmcs-bridge: press Ctrl-Enter (or the run button) to run this query.
#
# Every request needs an API token. Open the Headers pane below and enter:
#
#   {"Authorization": "Bearer wbt_..."}
#
# The sandbox demo prints one at start-up; otherwise create one with
#   whmcs-bridge tokens create NAME --scope read
# The schema (fields, arguments, descriptions) is in the Docs pane on the left.

query Overview {
  connectionTest {
    success
    sandbox
    whmcsVersion
    message
  }
  clients(limit: 5) {
    total
    items {
      id
      firstName
      lastName
      email
      sync {
        status
        whmcsId
        lastSyncedAt
      }
    }
  }
}
"""
_WELCOME = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)

# Everything but the page's own files and its own inline code is refused; the JSON answers of
# the API get the strictest policy (they are never a document to render).
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


class GraphiQLPageChangedError(RuntimeError):
    """strawberry's GraphiQL page no longer loads the files GRAPHIQL_ASSETS names."""


def offline_graphiql_html(page: str, root_path: str = "") -> str:
    """strawberry's GraphiQL page with every CDN URL pointing at this server's copy (under the
    app's mount point, `root_path`), opening on GRAPHIQL_SAMPLE_QUERY."""
    for cdn_url, name in GRAPHIQL_ASSETS.items():
        if cdn_url not in page:
            raise GraphiQLPageChangedError(
                f"strawberry's GraphiQL page no longer loads {cdn_url}: update GRAPHIQL_ASSETS "
                "in graph/view.py and scripts/fetch_graphiql.py for the new version"
            )
        page = page.replace(cdn_url, root_path + GRAPHIQL_URL_PREFIX + name)
    page, replaced = _WELCOME.subn(
        lambda _: "const EXAMPLE_QUERY = `" + GRAPHIQL_SAMPLE_QUERY + "`;", page, count=1
    )
    if not replaced:
        raise GraphiQLPageChangedError(
            "strawberry's GraphiQL page no longer sets EXAMPLE_QUERY: update graph/view.py"
        )
    return page


def graphiql_csp(page: str) -> str:
    """A policy that lets `page` run its own files and its own inline code, and nothing else."""
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for tag, code in _INLINE.findall(page):
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        hashes[tag].append(f"'sha256-{digest}'")
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self' " + " ".join(hashes["script"]),
            "style-src 'self' " + " ".join(hashes["style"]),
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def error_body(code: str, message: str) -> bytes:
    """A refusal in the GraphQL response shape."""
    return orjson.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    )


async def send_error(
    send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> None:
    """Answer an HTTP request with `error_body` (for ASGI code below any Starlette Response)."""
    raw_headers = [(b"content-type", b"application/json")]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": error_body(code, message)})


_HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def request_id_of(request: Request | WebSocket) -> str:
    """The caller's X-Request-ID when it is sane, else a new one; also the audit correlation id."""
    given = request.headers.get("x-request-id", "")
    return given if _REQUEST_ID.match(given) else str(uuid.uuid4())


def is_expected(error: GraphQLError) -> bool:
    """Errors a client caused (bad query, bad arguments): shown as they are. Others are masked."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


class BridgeGraphQL(GraphQL[Context, None]):
    # The folder the app serves at GRAPHIQL_URL_PREFIX; None: not served (the IDE page then says
    # how to fetch the files).
    graphiql_dir: Path | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # nothing here subscribes: no websockets
            await send({"type": "websocket.close", "code": 1008})
            return
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except ClientDisconnect:
            logger.info(
                "Client went away before its request arrived (request %s)", request_id_of(request)
            )
            return
        except HTTPException as exc:
            logger.info(
                "Refused a GraphQL request (request %s): HTTP %s, %s",
                request_id_of(request),
                exc.status_code,
                exc.reason,
            )
            response = Response(
                error_body(_HTTP_CODES.get(exc.status_code, "BAD_REQUEST"), exc.reason),
                status_code=exc.status_code,
                media_type="application/json",
                headers={"Allow": "GET, POST"} if exc.status_code == 405 else None,
            )
        await response(scope, receive, send)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        return False  # the gate serves the page (graphiql_page) before any of this runs

    def decode_json(self, data: str | bytes) -> object:
        """The body (or a GET's variables and extensions): a JSON object, valid UTF-8, no lone
        surrogate, nested at most 1024 deep (orjson refuses the rest), with a string (or no)
        operationName. Anything else is a 400 saying what is wrong."""
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise HTTPException(400, f"The request is not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise HTTPException(
                400,
                f"Expected a JSON object, got {type(value).__name__.replace('NoneType', 'null')}.",
            )
        operation = value.get("operationName")
        if operation is not None and not isinstance(operation, str):
            raise HTTPException(400, "The operationName must be a string or null.")
        return value

    async def graphiql_page(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The IDE's page, as its own ASGI app (the gate calls it): static, executes nothing."""
        response = await self.render_graphql_ide(Request(scope, receive))
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state = request.scope.setdefault("state", {})
        request_id = state.get("request_id") or request_id_of(request)
        state["request_id"] = request_id
        principal = state.get("principal")  # set by the token gate in front of /graphql
        return Context(
            bridge=request.app.state.bridge,
            request_id=request_id,
            actor=getattr(principal, "name", None),
            can_write=bool(getattr(principal, "can_write", False)),
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            request_id = request.scope.get("state", {}).get("request_id") or request_id_of(request)
            response["errors"] = [self._format(error, request_id) for error in result.errors]
        if result.extensions:
            response["extensions"] = result.extensions
        return response

    @staticmethod
    def _format(error: GraphQLError, request_id: str) -> dict[str, Any]:
        if is_expected(error):
            return error.formatted  # type: ignore[return-value]
        if is_database_outage(error.original_error):
            logger.error(
                "Database unavailable in GraphQL path %s (request %s): %s",
                ".".join(str(p) for p in error.path or ()),
                request_id,
                type(error.original_error).__name__,
            )
            unavailable = GraphQLError(
                "The database is unavailable; nothing was changed. Retry in a moment.",
                path=error.path,
                extensions={"code": "DATABASE_UNAVAILABLE", "requestId": request_id},
            )
            return unavailable.formatted  # type: ignore[return-value]
        logger.error(
            "Unexpected error in GraphQL path %s (request %s)",
            ".".join(str(p) for p in error.path or ()),
            request_id,
            exc_info=error.original_error,
        )
        masked = GraphQLError(
            f"Internal server error. Quote request id {request_id} to the operator.",
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
        return masked.formatted  # type: ignore[return-value]

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        page = offline_graphiql_html(self.graphql_ide_html, request.scope.get("root_path", ""))
        directory = self.graphiql_dir
        missing = [
            name
            for name in GRAPHIQL_ASSETS.values()
            if directory is None or not (directory / name).is_file()
        ]
        if missing:
            page = _ASSETS_MISSING_PAGE.format(
                missing=html.escape(", ".join(missing)),
                command=html.escape(GRAPHIQL_FETCH_COMMAND),
            )
            return HTMLResponse(
                page, status_code=503, headers={"Content-Security-Policy": graphiql_csp(page)}
            )
        return HTMLResponse(page, headers={"Content-Security-Policy": graphiql_csp(page)})
