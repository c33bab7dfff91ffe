"""Per request: its context for the logs, one access-log line, and the GraphQL request metrics.

`RequestObserver` is the outermost ASGI middleware: it gives each HTTP request its id (the
caller's X-Request-ID when sane, echoed back, and the audit log's correlation id), times it and,
once it is answered, counts it and logs it. `OperationObserver`, a schema extension, names the
operation (its root field: a name from the schema, never text from the caller) and its outcome.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from graph.outage import is_database_outage
from graph.view import is_expected, request_id_of
from whmcs_bridge.metrics import Metrics
from whmcs_bridge.request_context import UNKNOWN_OPERATION, RequestInfo, current_request

access_logger = logging.getLogger("whmcs_bridge.access")

# Refusals before GraphQL runs, by HTTP status.
_REFUSALS = {
    401: "unauthenticated",
    403: "forbidden",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "unavailable",
}
# Answered often and uneventfully: logged only when they fail.
_QUIET_PREFIXES = ("/healthz", "/readyz", "/metrics", "/static/")


def refusal_outcome(status: int) -> str:
    if status in _REFUSALS:
        return _REFUSALS[status]
    return "internal_error" if status >= 500 else "bad_request"


class RequestObserver:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics | None,
        access_log: bool,
        graphql_path: str = "/graphql",
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        request_id = request_id_of(Request(scope))
        state["request_id"] = request_id
        info = RequestInfo(request_id, state)
        reset = current_request.set(info)
        status = 500  # unless the app answers

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            self._record(scope, info, status, time.perf_counter() - started)
            current_request.reset(reset)

    def _record(self, scope: Scope, info: RequestInfo, status: int, seconds: float) -> None:
        path = get_route_path(scope)
        graphql = path == self.graphql_path
        if graphql and self.metrics is not None and (info.outcome or status >= 400):
            outcome = info.outcome or refusal_outcome(status)
            self.metrics.graphql_request(info.operation, outcome, seconds)
        if not self.access_log or (status < 400 and path.startswith(_QUIET_PREFIXES)):
            return
        client = scope.get("client")
        access_logger.info(
            "%s %s %d %.0f ms",
            scope["method"],
            path,
            status,
            seconds * 1000,
            extra={
                "method": scope["method"],
                "path": path,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "client": client[0] if client else None,
                "outcome": info.outcome,
            },
        )


class RootFields:
    """The schema's root field names: the only values the `operation` label may take."""

    def __init__(self) -> None:
        self._known: frozenset[str] | None = None

    def known(self, schema: GraphQLSchema) -> frozenset[str]:
        if self._known is None:
            names: set[str] = set()
            for root in (schema.query_type, schema.mutation_type, schema.subscription_type):
                if root is not None:
                    names.update(root.fields)
            self._known = frozenset(names)
        return self._known

    def label(
        self, schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
    ) -> str:
        asked = set(root_field_names(document, operation_name))
        named = asked & self.known(schema)
        if len(named) == 1:
            return next(iter(named))
        if len(named) > 1:
            return "multiple"
        if asked and all(name.startswith("__") for name in asked):
            return "introspection"
        return UNKNOWN_OPERATION


def root_field_names(document: DocumentNode, operation_name: str | None) -> list[str]:
    """The root fields the operation selects (fragments followed; aliases ignored)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return []
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return list(_fields(operations[0].selection_set, fragments, set()))


def _fields(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> Iterator[str]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                seen.add(name)
                yield from _fields(fragments[name].selection_set, fragments, seen)


def operation_outcome(errors: Sequence[object] | None) -> str:
    """success; invalid (the caller's mistake); forbidden; database_unavailable; internal_error."""
    if not errors:
        return "success"
    graphql_errors = [e for e in errors if isinstance(e, GraphQLError)]
    for error in graphql_errors:
        if not is_expected(error):
            if is_database_outage(error.original_error):
                return "database_unavailable"
            return "internal_error"
    if any((e.extensions or {}).get("code") == "FORBIDDEN" for e in graphql_errors):
        return "forbidden"
    return "invalid"


class OperationObserver(SchemaExtension):
    """Names the request's operation before it runs, and its outcome when it is done."""

    def __init__(self, roots: RootFields) -> None:
        self._roots = roots

    def _name(self) -> None:
        info = current_request.get()
        context = self.execution_context
        if info is not None and context.graphql_document is not None:  # None: did not parse
            info.operation = self._roots.label(
                context.schema._schema, context.graphql_document, context.operation_name
            )

    def on_execute(self) -> Iterator[None]:
        self._name()
        yield

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:  # a syntax error is raised through the hooks
            self._finish([error])
            raise
        self._finish(None)

    def _finish(self, raised: list[GraphQLError] | None) -> None:
        info = current_request.get()
        if info is None:
            return
        if info.operation == UNKNOWN_OPERATION:
            self._name()  # validation failed: execution never started
        context = self.execution_context
        errors = context.result.errors if context.result is not None else None
        info.outcome = operation_outcome(raised or errors or context.pre_execution_errors)
