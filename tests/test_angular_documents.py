"""The Angular example (examples/angular) against the contract, without node.

Its .graphql documents must validate against schema.graphql (as graphql-codegen would require),
every union it selects must be read through `__typename` and `... on Error { code message }`, its
outcome handlers must name every member of those unions, and the README's Angular snippets must
be the example's own code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    DefinitionNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    Source,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_named_type,
    parse,
    validate,
    visit,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "angular"
DOCUMENTS = sorted((EXAMPLE / "src").rglob("*.graphql"))
OUTCOMES = EXAMPLE / "src" / "app" / "client-details" / "outcomes.ts"
#: The views of the WHMCS module reads (services, invoices, tickets, domains).
VIEWS = EXAMPLE / "src" / "app" / "whmcs-records" / "views.ts"
#: Each union field the example selects, and the function that handles its members.
HANDLERS = {
    "pushClient": (OUTCOMES, "pushOutcome"),
    "updateClient": (OUTCOMES, "updateOutcome"),
    "unlink": (OUTCOMES, "unlinkOutcome"),
    "syncStatus": (OUTCOMES, "statusOutcome"),
    "whmcsServices": (VIEWS, "servicesView"),
    "whmcsInvoices": (VIEWS, "invoicesView"),
    "whmcsInvoice": (VIEWS, "invoiceView"),
    "whmcsTickets": (VIEWS, "ticketsView"),
    "whmcsTicket": (VIEWS, "ticketView"),
    "whmcsDomains": (VIEWS, "domainsView"),
}


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema((ROOT / "schema.graphql").read_text())


def load(texts: dict[str, str]) -> DocumentNode:
    """All documents as one, as codegen sees them (fragments are shared across files)."""
    definitions: list[DefinitionNode] = []
    for name, text in texts.items():
        definitions.extend(parse(Source(text, name)).definitions)
    return DocumentNode(definitions=tuple(definitions))


def problems(schema: GraphQLSchema, texts: dict[str, str]) -> list[str]:
    def where(error: GraphQLError) -> str:
        if error.source is None or not error.locations:
            return "?"
        line = error.locations[0].line
        return f"{Path(error.source.name).relative_to(EXAMPLE)}:{line}"

    return [f"{where(error)}: {error.message}" for error in validate(schema, load(texts))]


def example_texts() -> dict[str, str]:
    return {str(path): path.read_text() for path in DOCUMENTS}


def test_the_example_has_its_documents() -> None:
    operations = re.findall(
        r"^(?:query|mutation) (\w+)", "\n".join(example_texts().values()), re.MULTILINE
    )
    assert sorted(operations) == [
        "ClientDetails",
        "ClientDomains",
        "ClientInvoices",
        "ClientServices",
        "ClientTickets",
        "InvoiceDetail",
        "PushClient",
        "SyncLogs",
        "SyncStatus",
        "TicketThread",
        "Unlink",
        "UpdateClient",
    ]


def test_every_document_is_valid_against_the_schema(schema: GraphQLSchema) -> None:
    assert problems(schema, example_texts()) == []


def test_a_field_the_schema_lacks_is_caught(schema: GraphQLSchema) -> None:
    texts = example_texts()
    sync = next(name for name in texts if name.endswith("sync.graphql"))
    texts[sync] = texts[sync].replace("changedFields", "changedFields\n      changedAt", 1)

    found = problems(schema, texts)

    assert len(found) == 1
    assert "Cannot query field 'changedAt' on type 'UpdateClientSuccess'" in found[0]
    assert found[0].startswith("src/app/graphql/sync.graphql:")


def test_union_members_sharing_a_field_name_need_an_alias(schema: GraphQLSchema) -> None:
    """AlreadyLinkedError.whmcsId is `ID`, PushClientSuccess.whmcsId is `ID!`: they can't merge."""
    texts = example_texts()
    sync = next(name for name in texts if name.endswith("sync.graphql"))
    assert "linkedWhmcsId: whmcsId" in texts[sync]
    texts[sync] = texts[sync].replace("linkedWhmcsId: whmcsId", "whmcsId")

    found = problems(schema, texts)

    assert any("'whmcsId' conflict because they return conflicting types" in p for p in found)


class _UnionSelections(Visitor):
    """Every field of union type: its name, its union, and what its selection set reads."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.found: list[tuple[str, GraphQLUnionType, set[str], set[str]]] = []

    def enter_field(self, node: FieldNode, *_: object) -> None:
        field_type = self.type_info.get_type()
        union = get_named_type(field_type) if field_type is not None else None
        if not isinstance(union, GraphQLUnionType) or node.selection_set is None:
            return
        direct = {
            selection.name.value
            for selection in node.selection_set.selections
            if isinstance(selection, FieldNode)
        }
        on_error: set[str] = set()
        for selection in node.selection_set.selections:
            if (
                isinstance(selection, InlineFragmentNode)
                and selection.type_condition is not None
                and selection.type_condition.name.value == "Error"
            ):
                on_error |= {
                    field.name.value
                    for field in selection.selection_set.selections
                    if isinstance(field, FieldNode)
                }
        self.found.append((node.name.value, union, direct, on_error))


def union_selections(
    schema: GraphQLSchema,
) -> list[tuple[str, GraphQLUnionType, set[str], set[str]]]:
    type_info = TypeInfo(schema)
    visitor = _UnionSelections(type_info)
    visit(load(example_texts()), TypeInfoVisitor(type_info, visitor))
    return visitor.found


def test_every_union_is_read_by_typename_with_an_error_fallback(schema: GraphQLSchema) -> None:
    found = union_selections(schema)

    assert {field for field, *_ in found} == {
        "pushClient",
        "updateClient",
        "unlink",
        "syncStatus",
    } | {
        "whmcsServices",
        "whmcsInvoices",
        "whmcsInvoice",
        "whmcsTickets",
        "whmcsTicket",
        "whmcsDomains",
    }
    for field, _union, direct, on_error in found:
        assert "__typename" in direct, f"{field} does not select __typename"
        assert {"code", "message"} <= on_error, f"{field} lacks `... on Error {{ code message }}`"


def test_the_outcome_handlers_name_every_member_of_those_unions(schema: GraphQLSchema) -> None:
    """The example's switches (outcomes.ts, and views.ts for the module reads) cover each
    member: checked here without tsc."""
    for field, union, _direct, _on_error in union_selections(schema):
        path, handler = HANDLERS[field]
        source = path.read_text()
        body = re.search(rf"export function {handler}\(.*?\n}}\n", source, re.DOTALL)
        assert body is not None, f"{path.name} has no {handler}"
        handled = set(re.findall(r"case '(\w+)':", body[0]))
        assert handled == {member.name for member in union.types}, (field, handled)


def test_money_is_typed_as_an_exact_string_by_codegen() -> None:
    """The Decimal scalar (strictScalars needs it named) is a string, never a number, and the
    module documents read the amounts as such."""
    assert "Decimal: 'string'" in (EXAMPLE / "codegen.ts").read_text()
    modules = (EXAMPLE / "src" / "app" / "graphql" / "modules.graphql").read_text()
    for amount in ("recurringAmount", "total", "balance", "amount", "fees"):
        assert re.search(rf"^\s+{amount}$", modules, re.MULTILINE), amount


def test_ticket_messages_are_not_merged_across_tickets() -> None:
    """Message ids repeat across tickets (0 opens every thread): Apollo must not key them."""
    config = (EXAMPLE / "src" / "app" / "app.config.ts").read_text()
    assert "WhmcsTicketMessage: { keyFields: false }" in config


def _readme_angular_snippets() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = re.search(r"^## Using it from Angular\n(.*?)(?=^## )", readme, re.DOTALL | re.M)
    assert section is not None, "README.md has no '## Using it from Angular' section"
    return re.findall(r"^```(?:ts|graphql|html)\n(.*?)^```\n", section[1], re.DOTALL | re.M)


def _example_sources() -> list[str]:
    """The example's own files (not node_modules, not what codegen writes)."""
    generated = {"generated.ts", "schema-types.ts", "possible-types.ts"}
    paths = [*EXAMPLE.glob("*.ts"), *(EXAMPLE / "src").rglob("*")]
    return [
        path.read_text()
        for path in paths
        if path.suffix in {".ts", ".graphql", ".html"} and path.name not in generated
    ]


def test_readme_angular_snippets_are_the_example_code() -> None:
    snippets = _readme_angular_snippets()
    sources = _example_sources()

    assert len(snippets) >= 4
    for snippet in snippets:
        assert any(snippet in source for source in sources), f"not in the example:\n{snippet}"
