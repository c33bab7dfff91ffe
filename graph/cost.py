"""What one GraphQL document may cost, measured before graphql-core validates it.

graphql-core's validation is linear in the document except in two places an attacker can reach
under the token limit:

- fragment spreads are walked again at every spread: fragments that each spread the previous one
  twice (`fragment F2 on Query { ...F1 ...F1 }`) make 2^n of work from a document of n lines
  (Strawberry's depth and alias rules walk them that way too);
- `OverlappingFieldsCanBeMerged` compares every pair of fields that land on one response name,
  so 300 copies of `stats { totalSynced }` cost about 45,000 comparisons (0.4 s here).

This pass measures both in time linear in the document, before any of that runs:

1. One walk of every definition, each fragment summarised once (memoised): how many selections
   the operations make once fragments are expanded, their depth (fields below the root, as
   Strawberry's QueryDepthLimiter counts them: introspection fields do not count) and aliases. A
   fragment cycle is refused here (graphql-core would refuse it too).
2. Only when that count is under its cap: the fields each response name gathers at each path
   (graphql-core merges them so), counted as the pairs the merge rule will compare.

The same walk caps the lists a document can make long at no cost to itself: arguments and
directives per node, variables per operation, fields of an input object, definitions per
document (graphql-core does work per definition, and one duplicate-argument error lists every
duplicate with its line and column, each found by scanning the text from its start).

A document over any limit is refused with one error saying which; one under every limit goes on
to graphql-core's validation, whose cost is then bounded by the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
)

# Selections nested inside each other (fields, inline fragments, spreads): past this the walk
# stops, far beyond any depth limit, so a long chain of fragments cannot exhaust the stack.
MAX_NESTING = 300


@dataclass(frozen=True, slots=True)
class CostLimits:
    max_depth: int = 10
    max_aliases: int = 15
    max_selections: int = 1_000  # after fragments are expanded, every operation together
    max_merge_pairs: int = 500  # pairs of same-named fields at one path, the whole document
    max_definitions: int = 50  # operations and fragments
    max_variables: int = 50  # per operation
    max_arguments: int = 20  # per field or directive
    max_directives: int = 10  # per node
    max_object_fields: int = 50  # per input object literal


@dataclass(frozen=True, slots=True)
class _Summary:
    selections: int
    aliases: int
    depth: int


class _RefusedError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Walk:
    """One pass over the definitions; each fragment summarised once (memoised)."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode], limits: CostLimits) -> None:
        self.fragments = fragments
        self.limits = limits
        self.done: dict[str, _Summary] = {}
        self.open: list[str] = []  # fragments being summarised: a spread of one is a cycle
        self.used: set[str] = set()

    def of(self, selection_set: SelectionSetNode, nesting: int = 0) -> _Summary:
        if nesting > MAX_NESTING:
            raise _RefusedError("The document nests selections too deeply.")
        selections = aliases = depth = 0
        for selection in selection_set.selections:
            self.directives(selection)
            if isinstance(selection, FieldNode):
                self.arguments(selection, f"Field '{selection.name.value}'")
                selections += 1
                aliases += selection.alias is not None
                if selection.selection_set is not None:
                    inner = self.of(selection.selection_set, nesting + 1)
                    selections += inner.selections
                    aliases += inner.aliases
                    if not selection.name.value.startswith("__"):
                        depth = max(depth, inner.depth + 1)
            elif isinstance(selection, InlineFragmentNode | FragmentSpreadNode):
                inner = (
                    self.of(selection.selection_set, nesting + 1)
                    if isinstance(selection, InlineFragmentNode)
                    else self.fragment(selection.name.value, nesting + 1)
                )
                selections += 1 + inner.selections
                aliases += inner.aliases
                depth = max(depth, inner.depth)
        return _Summary(selections, aliases, depth)

    def fragment(self, name: str, nesting: int) -> _Summary:
        self.used.add(name)
        known = self.done.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None:
            return _Summary(0, 0, 0)  # an unknown fragment: graphql-core says so
        if name in self.open:
            raise _RefusedError(f"Cannot spread fragment '{name}' within itself.")
        self.open.append(name)
        self.directives(definition)
        summary = self.of(definition.selection_set, nesting)
        self.open.pop()
        self.done[name] = summary
        return summary

    def operation(self, operation: OperationDefinitionNode) -> _Summary:
        name = operation.name.value if operation.name else "anonymous"
        variables = operation.variable_definitions or ()
        _cap(len(variables), self.limits.max_variables, f"Operation '{name}' has", "variables")
        for variable in variables:
            self.directives(variable)
            if variable.default_value is not None:
                self.value(variable.default_value)
        self.directives(operation)
        return self.of(operation.selection_set)

    def directives(self, node: Node) -> None:
        directives: Sequence[DirectiveNode] = getattr(node, "directives", None) or ()
        _cap(len(directives), self.limits.max_directives, "A selection has", "directives")
        for directive in directives:
            self.arguments(directive, f"Directive '@{directive.name.value}'")

    def arguments(self, node: FieldNode | DirectiveNode, what: str) -> None:
        arguments = node.arguments or ()
        _cap(len(arguments), self.limits.max_arguments, f"{what} has", "arguments")
        for argument in arguments:
            self.value(argument.value)

    def value(self, value: ValueNode) -> None:
        if isinstance(value, ObjectValueNode):
            _cap(len(value.fields), self.limits.max_object_fields, "An input object has", "fields")
            for field in value.fields:
                self.value(field.value)
        elif isinstance(value, ListValueNode):
            for item in value.values:
                self.value(item)


def _cap(count: int, limit: int, subject: str, noun: str) -> None:
    if count > limit:
        raise _RefusedError(f"{subject} {count} {noun}. Allowed: {limit}.")


def document_cost_errors(document: DocumentNode, limits: CostLimits) -> list[GraphQLError]:
    """The errors that refuse `document` before validation; empty when it is within limits."""
    try:
        return _errors(document, limits)
    except _RefusedError as refused:
        return [GraphQLError(refused.message)]


def _errors(document: DocumentNode, limits: CostLimits) -> list[GraphQLError]:
    definitions = document.definitions
    _cap(len(definitions), limits.max_definitions, "The document has", "definitions")
    fragments: dict[str, FragmentDefinitionNode] = {}
    operations: list[OperationDefinitionNode] = []
    for definition in definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments.setdefault(definition.name.value, definition)
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(definition)
    walk = _Walk(fragments, limits)
    selections = aliases = 0
    errors: list[GraphQLError] = []
    for operation in operations:
        summary = walk.operation(operation)
        selections += summary.selections
        aliases += summary.aliases
        if summary.depth > limits.max_depth:
            name = operation.name.value if operation.name else "anonymous"
            errors.append(
                GraphQLError(
                    f"'{name}' exceeds maximum operation depth of {limits.max_depth}", [operation]
                )
            )
    # Fragments no operation uses are validated all the same: their cost counts too.
    unused = [f for name, f in fragments.items() if name not in walk.used]
    for fragment in unused:
        selections += walk.fragment(fragment.name.value, 0).selections
    if selections > limits.max_selections:
        raise _RefusedError(
            f"The document makes {selections} selections once its fragments are expanded. "
            f"Allowed: {limits.max_selections}."
        )
    if aliases > limits.max_aliases:
        errors.append(GraphQLError(f"{aliases} aliases found. Allowed: {limits.max_aliases}"))
    if errors:
        return errors
    roots = [o.selection_set for o in operations] + [f.selection_set for f in unused]
    if _merge_pairs(roots, fragments, limits.max_merge_pairs) > limits.max_merge_pairs:
        raise _RefusedError(
            "The document asks for the same field at one place too many times over (more than "
            f"{limits.max_merge_pairs} pairs of fields to compare). Ask for each field once."
        )
    return []


def _merge_pairs(
    roots: Iterable[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
    budget: int,
) -> int:
    """Pairs of fields merged under one response name, path by path; stops past `budget`.

    Runs only once the expanded size is known to be under its cap, which bounds this walk.
    """
    pairs = 0
    pending: list[Sequence[SelectionSetNode]] = [[root] for root in roots]
    while pending and pairs <= budget:
        groups: dict[str, list[FieldNode]] = {}
        _collect(pending.pop(), fragments, groups, [])
        for fields in groups.values():
            pairs += len(fields) * (len(fields) - 1) // 2
            children = [f.selection_set for f in fields if f.selection_set is not None]
            if children:
                pending.append(children)
    return pairs


def _collect(
    selection_sets: Iterable[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
    groups: dict[str, list[FieldNode]],
    entered: list[str],
) -> None:
    """The fields of `selection_sets` by response name, through inline fragments and spreads."""
    for selection_set in selection_sets:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.alias.value if selection.alias else selection.name.value
                groups.setdefault(name, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                _collect([selection.selection_set], fragments, groups, entered)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and selection.name.value not in entered:
                    entered.append(selection.name.value)
                    _collect([fragment.selection_set], fragments, groups, entered)
                    entered.pop()
