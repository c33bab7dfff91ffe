"""Schema-level guards: write scope for mutations, and limits on what one document may ask."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, validate
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxTokensLimiter, SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graph.cost import CostLimits, document_cost_errors

# Validation stops at this many errors (graphql-core's default is 100, and each error finds
# its line and column by scanning the document: a client needs the first few).
MAX_VALIDATION_ERRORS = 10


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_selections: int = 1000
    introspection: bool = True

    @property
    def cost(self) -> CostLimits:
        return CostLimits(
            max_depth=self.max_depth,
            max_aliases=self.max_aliases,
            max_selections=self.max_selections,
        )


class WriteScopeGuard(SchemaExtension):
    """A mutation needs a token with the write scope; otherwise nothing runs."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        if execution.operation_type is OperationType.MUTATION and not getattr(
            context, "can_write", False
        ):
            execution.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "This API token may only read: mutations need a token with --scope write.",
                        extensions={"code": "FORBIDDEN"},
                    )
                ],
            )
        yield


@dataclass(frozen=True, slots=True, eq=False)
class _Document:
    """A parsed document as a cache key: its text (hashed once by Python), not its tree."""

    text: str
    node: DocumentNode

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Document) and other.text == self.text


Rules = tuple[type[ASTValidationRule], ...]
Check = Callable[[GraphQLSchema, _Document, Rules], list[GraphQLError]]


def document_check(limits: Limits, maxsize: int = 256) -> Check:
    """The cost pass, then graphql-core's rules only for a document within its limits; cached.

    With introspection off, errors carry no "Did you mean ...?" suggestions (they would spell
    the schema out one guess at a time).
    """

    @functools.lru_cache(maxsize=maxsize)
    def check(schema: GraphQLSchema, document: _Document, rules: Rules) -> list[GraphQLError]:
        refused = document_cost_errors(document.node, limits.cost)
        if refused:
            return refused
        return validate(
            schema,
            document.node,
            (*rules, MaybeNullValidationRule, OneOfInputValidationRule),
            max_errors=MAX_VALIDATION_ERRORS,
            hide_suggestions=not limits.introspection,
        )

    return check


class DocumentGuard(SchemaExtension):
    """Validates each document once (by its text): cost first, then the rules.

    Replaces Strawberry's ValidationCache, QueryDepthLimiter and MaxAliasesLimiter: those two
    limiters walk every fragment spread again (exponential in a document of doubling spreads),
    and the cache hashed the whole parsed tree on every request.
    """

    def __init__(self, check: Check, extra_rules: Rules) -> None:
        super().__init__()
        self._check = check
        self._extra_rules = extra_rules

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        assert execution.graphql_document is not None
        execution.pre_execution_errors = self._check(
            execution.schema._schema,
            _Document(execution.query or "", execution.graphql_document),
            (*execution.validation_rules, *self._extra_rules),
        )
        yield


def limit_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """Factories (a fresh extension per request, as Strawberry wants); one cache per schema."""
    check = document_check(limits)
    extra: Rules = () if limits.introspection else (NoSchemaIntrospectionCustomRule,)
    return [
        lambda: DocumentGuard(check, extra),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
    ]
