"""The schema: Query and Mutation merged, with the caches that make parsing nearly free."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

from graph.execution import FastExecutionContext
from graph.mutations import Mutation
from graph.queries import Query
from graph.security import Limits, WriteScopeGuard, limit_extensions
from graph.types.errors import Error

# Every implementation of Error is in the schema, whether or not a union names it yet.
ERROR_TYPES = sorted(Error.__subclasses__(), key=lambda cls: cls.__name__)


class BridgeSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        """No logging here: the HTTP view logs each unexpected error once, with its request id."""


def build_schema(
    limits: Limits | None = None, observers: Sequence[Callable[[], SchemaExtension]] = ()
) -> strawberry.Schema:
    """The schema, guarded: write scope for mutations; depth, alias and token limits.

    `observers`: extension factories the app adds (metrics and log context).
    """
    limits = limits or Limits()
    return BridgeSchema(
        query=Query,
        mutation=Mutation,
        types=ERROR_TYPES,
        execution_context_class=FastExecutionContext,
        extensions=[
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            WriteScopeGuard,
            *limit_extensions(limits),
            *observers,
        ],
    )


schema = build_schema()
