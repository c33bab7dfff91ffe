"""schema.graphql keeps every name, type, default and member of the API contract.

The contract lives in ../shared/contract/ beside the project (not in a user's clone): core.graphql
and modules.graphql, which extends it (one contract in two files). The tests skip, saying so,
when a file is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    print_ast,
)
from graphql.utilities import ast_from_value

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT.parent / "shared" / "contract" / "core.graphql"
MODULES_CONTRACT = ROOT.parent / "shared" / "contract" / "modules.graphql"


def _default(arg_or_field: object, type_: object) -> str | None:
    """The default as GraphQL source text (`25`, `CLIENT`, `null`), or None when there is none."""
    default = getattr(arg_or_field, "default", None)
    if default is None:
        return None
    if default.literal is not None:
        return print_ast(default.literal)
    node = ast_from_value(default.value, type_)  # type: ignore[arg-type]
    return print_ast(node) if node is not None else None


def contract_problems(contract: GraphQLSchema, ours: GraphQLSchema) -> list[str]:
    problems: list[str] = []
    for name, expected in contract.type_map.items():
        if name.startswith("__"):
            continue
        actual = ours.type_map.get(name)
        if actual is None:
            problems.append(f"type {name} is missing")
            continue
        if type(actual) is not type(expected):
            problems.append(
                f"type {name} is a {type(actual).__name__}, not {type(expected).__name__}"
            )
            continue
        if isinstance(expected, GraphQLEnumType):
            missing = set(expected.values) - set(actual.values)  # type: ignore[union-attr]
            problems += [f"enum {name} lacks {v}" for v in sorted(missing)]
        if isinstance(expected, GraphQLUnionType):
            want = {t.name for t in expected.types}
            have = {t.name for t in actual.types}  # type: ignore[union-attr]
            problems += [f"union {name} lacks {t}" for t in sorted(want - have)]
        if isinstance(expected, GraphQLObjectType | GraphQLInterfaceType):
            want = {i.name for i in expected.interfaces}
            have = {i.name for i in actual.interfaces}  # type: ignore[union-attr]
            problems += [f"{name} does not implement {i}" for i in sorted(want - have)]
        if isinstance(expected, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in expected.fields.items():
                mine = actual.fields.get(field_name)  # type: ignore[union-attr]
                where = f"{name}.{field_name}"
                if mine is None:
                    problems.append(f"{where} is missing")
                    continue
                if str(mine.type) != str(field.type):
                    problems.append(f"{where} is {mine.type}, not {field.type}")
                if isinstance(expected, GraphQLInputObjectType) and _default(
                    mine, mine.type
                ) != _default(field, field.type):
                    problems.append(f"{where} default differs")
                for arg_name, arg in getattr(field, "args", {}).items():
                    my_arg = mine.args.get(arg_name)
                    if my_arg is None:
                        problems.append(f"{where}({arg_name}) is missing")
                        continue
                    if str(my_arg.type) != str(arg.type):
                        problems.append(f"{where}({arg_name}) is {my_arg.type}, not {arg.type}")
                    if _default(my_arg, my_arg.type) != _default(arg, arg.type):
                        problems.append(
                            f"{where}({arg_name}) default is {_default(my_arg, my_arg.type)}, "
                            f"not {_default(arg, arg.type)}"
                        )
                for arg_name, my_arg in getattr(mine, "args", {}).items():
                    if (
                        arg_name not in getattr(field, "args", {})
                        and str(my_arg.type).endswith("!")
                        and (_default(my_arg, my_arg.type) is None)
                    ):
                        problems.append(f"{where}({arg_name}) is a new required argument")
    return problems


@pytest.fixture(scope="module")
def exported() -> GraphQLSchema:
    return build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))


def test_schema_keeps_the_whole_contract(exported: GraphQLSchema) -> None:
    if not CONTRACT.is_file():
        pytest.skip(f"the API contract is not beside this clone ({CONTRACT}); nothing to compare")
    contract = build_schema(CONTRACT.read_text(encoding="utf-8"))

    assert contract_problems(contract, exported) == []


def _contract_with_modules() -> GraphQLSchema:
    for path in (CONTRACT, MODULES_CONTRACT):
        if not path.is_file():
            pytest.skip(f"the API contract is not beside this clone ({path}); nothing to compare")
    # modules.graphql extends core.graphql (extend enum, extend type Query): read as one document.
    source = CONTRACT.read_text(encoding="utf-8") + "\n" + MODULES_CONTRACT.read_text("utf-8")
    return build_schema(source)


def test_schema_keeps_the_modules_contract(exported: GraphQLSchema) -> None:
    contract = _contract_with_modules()

    assert contract_problems(contract, exported) == []


def test_the_modules_contract_is_checked_in_full() -> None:
    """Every query, type, union and enum value of modules.graphql is compared (the combined
    contract has them), so a module item missing from schema.graphql would be reported."""
    contract = _contract_with_modules()
    query = contract.type_map["Query"]
    assert isinstance(query, GraphQLObjectType)
    queries = {
        "whmcsServices",
        "whmcsInvoices",
        "whmcsInvoice",
        "whmcsOrders",
        "whmcsTickets",
        "whmcsTicket",
        "whmcsDomains",
    }
    assert queries <= set(query.fields)
    assert "Decimal" in contract.type_map
    entity = contract.type_map["EntityType"]
    assert isinstance(entity, GraphQLEnumType)
    assert {"SERVICE", "INVOICE", "ORDER", "TICKET", "DOMAIN"} <= set(entity.values)
    # Dropping one module field from our schema is noticed, with its name.
    ours = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    page = ours.type_map["WhmcsInvoicePage"]
    assert isinstance(page, GraphQLObjectType)
    del page.fields["limit"]
    assert contract_problems(contract, ours) == ["WhmcsInvoicePage.limit is missing"]


def test_a_wrong_module_default_or_scalar_is_noticed() -> None:
    contract = _contract_with_modules()
    source = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    changed = source.replace(
        "whmcsDomains(whmcsClientId: ID!, offset: Int! = 0, limit: Int! = 25)",
        "whmcsDomains(whmcsClientId: ID!, offset: Int! = 0, limit: Int! = 50)",
    ).replace("  balance: Decimal!", "  balance: Float!")
    assert changed.count("limit: Int! = 25): WhmcsDomainsResult") == 0

    assert sorted(contract_problems(contract, build_schema(changed))) == [
        "Query.whmcsDomains(limit) default is 50, not 25",
        "WhmcsInvoiceDetail.balance is Float!, not Decimal!",
    ]


def test_the_comparison_notices_a_change() -> None:
    contract = build_schema(
        "type Query { a(x: Int! = 1): Int } enum E { A B } union U = T type T { f: String }"
    )
    changed = build_schema(
        "type Query { a(x: Int! = 2, y: Int!): String } enum E { A } union U = T type T { g: Int }"
    )

    assert sorted(contract_problems(contract, changed)) == sorted(
        [
            "Query.a is String, not Int",
            "Query.a(x) default is 2, not 1",
            "Query.a(y) is a new required argument",
            "enum E lacks B",
            "T.f is missing",
        ]
    )
