"""The GraphQL endpoint: context per request, errors masked and logged once, fast JSON."""

from __future__ import annotations

import html
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
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
GRAPHIQL_FETCH_COMMAND = ".venv/bin/python scripts/fetch_graphiql.py"

_ASSETS_MISSING_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>GraphiQL: assets not installed</title></head>
<body style="font-family: sans-serif; max-width: 42em; margin: 3em auto; line-height: 1.5">
<h1>GraphiQL is not installed on this server</h1>
<p>GraphiQL is served from this server only (nothing loads from a CDN), and its files are
missing from <code>whmcs_bridge/static/graphiql/</code>: {missing}.</p>
<p>Fetch them from the npm registry (needs <code>npm</code>) with <code>make install</code>, or
run <code>{command}</code> in the project folder, then reload this page.</p>
<p>The API itself works: POST your queries to <code>/graphql</code>.</p>
</body></html>
"""


class GraphiQLPageChangedError(RuntimeError):
    """strawberry's GraphiQL page no longer loads the files GRAPHIQL_ASSETS names."""


def offline_graphiql_html(page: str) -> str:
    """strawberry's GraphiQL page with every CDN URL pointing at this server's copy."""
    for cdn_url, name in GRAPHIQL_ASSETS.items():
        if cdn_url not in page:
            raise GraphiQLPageChangedError(
                f"strawberry's GraphiQL page no longer loads {cdn_url}: update GRAPHIQL_ASSETS "
                "in graph/view.py and scripts/fetch_graphiql.py for the new version"
            )
        page = page.replace(cdn_url, GRAPHIQL_URL_PREFIX + name)
    return page


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
        page = offline_graphiql_html(self.graphql_ide_html)
        directory = self.graphiql_dir
        missing = [
            name
            for name in GRAPHIQL_ASSETS.values()
            if directory is None or not (directory / name).is_file()
        ]
        if missing:
            return HTMLResponse(
                _ASSETS_MISSING_PAGE.format(
                    missing=html.escape(", ".join(missing)),
                    command=html.escape(GRAPHIQL_FETCH_COMMAND),
                ),
                status_code=503,
            )
        return HTMLResponse(page)
