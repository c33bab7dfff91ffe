"""Document cost: whatever fits under the body limit is refused, or answered, cheaply.

Each attack is a shape whose validation cost grows faster than its size (fragment spreads that
double, the same field many times over, long lists of arguments...). The tests assert the
refusal and that graphql-core's validation never ran on it (the cost pass refused it first);
the time it takes is measured in bench/document_cost.py, and the server's responsiveness during
an attack is tested against the real process in test_server_process.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import get_introspection_query

import graph.security
from graph.schema import build_schema
from graph.security import Limits
from tests.conftest import Api
from tests.graph import documents

ROOT = Path(__file__).resolve().parents[2]


def doubling(levels: int, leaf: str = "stats { totalSynced }") -> str:
    """Fragments that each spread the previous one twice: 2^levels selections."""
    parts = [f"fragment F0 on Query {{ {leaf} }}"]
    parts += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return "\n".join([f"query {{ ...F{levels} }}", *parts])


ATTACKS = {
    # spreads that double at each level (the audit's 1.3 KB, 20 levels: 3 s of CPU)
    "doubling spreads, 20 levels": (doubling(20), "selections once its fragments are expanded"),
    "doubling spreads, 40 levels": (doubling(40), "selections once its fragments are expanded"),
    "doubling inside a field": (
        "{ whmcsClients { ... on WhmcsClientPage { ...P9 } } } fragment P0 on WhmcsClientPage "
        "{ total } "
        + " ".join(
            f"fragment P{i} on WhmcsClientPage {{ ...P{i - 1} ...P{i - 1} }}" for i in range(1, 10)
        ),
        "selections once its fragments are expanded",
    ),
    "doubling through inline fragments": (
        doubling(25, "... on Query { stats { totalSynced } }"),
        "selections once its fragments are expanded",
    ),
    # the same field over and over (300 copies: 0.75 s of validation each)
    "one field 300 times": ("{ " + "stats { totalSynced } " * 300 + "}", "same field at one place"),
    "one leaf 600 times": ("{ stats { " + "totalSynced " * 600 + "} }", "same field at one place"),
    "duplicates nested in duplicates": (
        "{ " + ("clients { items { " + "id " * 12 + "} } ") * 12 + "}",
        "same field at one place",
    ),
    "duplicates through spreads of one fragment": (
        "{ " + "...S " * 60 + "} fragment S on Query { stats { totalSynced } }",
        "same field at one place",
    ),
    "duplicates through distinct fragments": (
        "{ "
        + " ".join(f"...S{i}" for i in range(40))
        + " } "
        + " ".join(f"fragment S{i} on Query {{ stats {{ totalSynced }} }}" for i in range(40)),
        "same field at one place",
    ),
    "duplicates in a fragment nobody spreads": (
        "{ __typename } fragment U on Query { " + "stats { totalSynced } " * 200 + "}",
        "same field at one place",
    ),
    # cycles and chains must not recurse without end
    "a fragment spreading itself": (
        "{ ...A } fragment A on Query { stats { totalSynced } ...A }",
        "Cannot spread fragment 'A' within itself",
    ),
    "a cycle of two": (
        "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        "within itself",
    ),
    # long lists that cost per item (and one duplicate-argument error lists them all)
    "600 arguments": ("{ clients(" + "offset: 0 " * 600 + ") { total } }", "600 arguments"),
    "directives": ("{ stats" + " @include(if: true)" * 300 + " { totalSynced } }", "directives"),
    "variables": (
        "query(" + " ".join(f"$v{i}: Int" for i in range(300)) + ") { __typename }",
        "300 variables",
    ),
    "input object fields": (
        "{ syncLogs(filter: {" + "days: 1 " * 400 + "}) { total } }",
        "400 fields",
    ),
    "many operations": (
        " ".join(f"query Q{i} {{ __typename }}" for i in range(200)),
        "200 definitions",
    ),
    "many fragments": (
        "{ __typename } "
        + " ".join(f"fragment G{i} on Query {{ __typename }}" for i in range(200)),
        "definitions",
    ),
    # aliases and depth counted through fragments, once each (not by walking every spread)
    "aliases through a spread twice": (
        "{ ...A ...B } fragment A on Query { "
        + " ".join(f"a{i}: stats {{ totalSynced }}" for i in range(8))
        + " } fragment B on Query { "
        + " ".join(f"b{i}: stats {{ totalSynced }}" for i in range(8))
        + " }",
        "16 aliases found. Allowed: 15",
    ),
    "depth through fragments": (
        "{ whmcsClients { ...Page } } fragment Page on WhmcsClientPage { items { ...Item } } "
        "fragment Item on WhmcsClient { localClient { ...Local } } "
        "fragment Local on Client { sync { ...Sync } } fragment Sync on SyncState { whmcsId }",
        "exceeds maximum operation depth of 3",
    ),
}


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts graphql-core validations (the expensive step the cost pass stands in front of)."""
    calls: list[int] = []
    real = graph.security.validate

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(graph.security, "validate", counting)
    return calls


@pytest.mark.parametrize(("document", "message"), ATTACKS.values(), ids=ATTACKS.keys())
async def test_attack_documents_are_refused_before_validation(
    document: str, message: str, validations: list[int]
) -> None:
    schema = build_schema(Limits(max_depth=3, max_tokens=100_000))

    result = await schema.execute(document)

    assert result.data is None
    assert result.errors is not None
    assert message in result.errors[0].message, result.errors[0].message
    assert validations == []  # refused by its cost: graphql-core's rules never saw it


LEGITIMATE = {
    "GraphiQL's introspection query": get_introspection_query(
        descriptions=True,
        input_value_deprecation=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
    ),
    **{
        f"angular {path.name}": path.read_text()
        for path in sorted((ROOT / "examples/angular/src/app/graphql").glob("*.graphql"))
    },
    **{
        f"tests {name}": getattr(documents, name)
        for name in ("PUSH", "PULL", "UPDATE", "LINK", "WHMCS_CLIENTS", "SYNC_LOGS", "CLIENTS")
    },
    "fifteen aliased pages": "{ "
    + " ".join(
        f"p{i}: clients(offset: {i}) {{ items {{ id sync {{ status }} }} }}" for i in range(15)
    )
    + " }",
    "a fragment used at many places": (
        "{ whmcsClients { ... on WhmcsClientPage { items { ...W localClient { ...C } } } } "
        "clients { items { ...C } } } fragment W on WhmcsClient { id email } "
        "fragment C on Client { id email sync { status whmcsId } }"
    ),
}


@pytest.mark.parametrize("document", LEGITIMATE.values(), ids=LEGITIMATE.keys())
def test_real_documents_pass_the_cost_pass(document: str) -> None:
    from graphql import parse

    from graph.cost import document_cost_errors

    assert document_cost_errors(parse(document), Limits().cost) == []


async def test_an_attack_over_http_is_a_graphql_error_not_a_crash(api: Api) -> None:
    body = await api.raw(doubling(30))

    assert body["data"] is None
    assert "selections once its fragments are expanded" in body["errors"][0]["message"]
    assert "extensions" not in body["errors"][0] or "code" not in body["errors"][0]["extensions"]


@pytest.mark.parametrize("settings_env", [{"GRAPHQL_INTROSPECTION": "false"}], indirect=True)
async def test_no_suggestions_reveal_the_schema_when_introspection_is_off(api: Api) -> None:
    answers = [
        await api.raw("{ stat { totalSynced } }"),  # a field
        await api.raw('{ clients(serch: "a") { total } }'),  # an argument
        await api.raw("{ ... on Quer { __typename } }"),  # a type
        await api.raw("{ syncLogs(filter: {stats: SUCCESS}) { total } }"),  # an input field
        await api.raw("{ syncLogs(filter: {status: SUCCES}) { total } }"),  # an enum value
        await api.raw(
            "query($s: LogStatus) { syncLogs(filter: {status: $s}) { total } }", {"s": "SUCCES"}
        ),  # an enum value in the variables (checked while executing)
    ]

    for answer in answers:
        assert answer["errors"], answer
        for error in answer["errors"]:
            assert "Did you mean" not in error["message"], error["message"]


async def test_suggestions_stay_while_introspection_is_on(api: Api) -> None:
    answer = await api.raw("{ stat { totalSynced } }")

    assert "Did you mean 'stats'?" in answer["errors"][0]["message"]
