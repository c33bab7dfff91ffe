"""The GraphQL endpoint: context per request, errors masked and logged once, fast JSON."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from graph.context import Context

logger = logging.getLogger(__name__)
# At most 36 characters (a UUID's length): the audit log stores it as the correlation id.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,36}$")


def request_id_of(request: Request | WebSocket) -> str:
    """The caller's X-Request-ID when it is sane, else a new one; also the audit correlation id."""
    given = request.headers.get("x-request-id", "")
    return given if _REQUEST_ID.match(given) else str(uuid.uuid4())


def is_expected(error: GraphQLError) -> bool:
    """Errors a client caused (bad query, bad arguments): shown as they are. Others are masked."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


class BridgeGraphQL(GraphQL[Context, None]):
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
