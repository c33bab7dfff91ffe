"""Schema-level guards: write scope for mutations, and limits on what one document may ask."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    introspection: bool = True


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


def limit_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """Factories (a fresh extension per request, as Strawberry wants)."""
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=limits.max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
    ]
    if not limits.introspection:
        extensions.append(DisableIntrospection)
    return extensions
