"""The schema: Query and Mutation merged, with the caches that make parsing nearly free."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension

from graph.execution import FastExecutionContext
from graph.mutations import Mutation
from graph.onboarding.mutations import OnboardingMutation
from graph.onboarding.queries import OnboardingQuery
from graph.queries import Query
from graph.security import Limits, WriteScopeGuard, limit_extensions
from graph.types.errors import Error


@strawberry.type(name="Query")
class RootQuery(Query, OnboardingQuery):
    """Every query: the contract's, and those of the packages beside it (graph/onboarding)."""


@strawberry.type(name="Mutation")
class RootMutation(Mutation, OnboardingMutation):
    """Every mutation, as RootQuery."""


# Every implementation of Error is in the schema, whether or not a union names it yet.
ERROR_TYPES = sorted(Error.__subclasses__(), key=lambda cls: cls.__name__)


class BridgeSchema(strawberry.Schema):
    #: Leave "Did you mean ...?" out of execution errors (variables' values): set with
    #: introspection off, where suggestions would reveal the schema.
    hide_suggestions = False

    def _get_custom_context_kwargs(
        self, operation_extensions: dict[str, Any] | None = None, *, sync: bool = False
    ) -> dict[str, Any]:
        kwargs = super()._get_custom_context_kwargs(operation_extensions, sync=sync)
        kwargs["hide_suggestions"] = self.hide_suggestions
        return kwargs

    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        """No logging here: the HTTP view logs each unexpected error once, with its request id."""


def build_schema(
    limits: Limits | None = None, observers: Sequence[Callable[[], SchemaExtension]] = ()
) -> strawberry.Schema:
    """The schema, guarded: write scope for mutations; depth, alias and token limits.

    `observers`: extension factories the app adds (metrics and log context).
    """
    limits = limits or Limits()
    schema = BridgeSchema(
        query=RootQuery,
        mutation=RootMutation,
        types=ERROR_TYPES,
        execution_context_class=FastExecutionContext,
        extensions=[
            lambda: ParserCache(maxsize=256),
            WriteScopeGuard,
            *limit_extensions(limits),  # validation, cached, after the cost of the document
            *observers,
        ],
    )
    schema.hide_suggestions = not limits.introspection
    return schema


schema = build_schema()
