"""The executor's fast path for plain scalar fields answers exactly what graphql-core would."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import pytest
import strawberry
from strawberry.scalars import JSON

from graph.execution import FastExecutionContext
from graph.schema import build_schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    id: strawberry.ID
    name: str
    note: str | None
    colour: Colour
    at: datetime.datetime
    data: JSON | None
    required: str  # some rows break the contract and hold None here

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


def _item(n: int, *, broken: bool = False) -> Item:
    return Item(
        id=strawberry.ID(str(n)),
        name=f"item {n}",
        note=None if n % 2 else f"note {n}",
        colour=Colour.RED if n % 2 else Colour.BLUE,
        at=datetime.datetime(2026, 1, n, 12, 0, tzinfo=datetime.UTC),
        data={"n": n, "nested": [1, None, "x"]} if n % 3 else None,
        required=None if broken else "yes",  # type: ignore[arg-type]
    )


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [_item(n) for n in range(1, 6)]

    @strawberry.field
    async def later(self) -> list[Item]:
        return [_item(n) for n in range(1, 3)]

    @strawberry.field
    def broken(self) -> Item | None:
        return _item(4, broken=True)


QUERY = """{
  items { id name note colour at data required shout alias: name __typename }
  later { name shout note }
  broken { id required }
}"""


async def _run(fast: bool) -> Any:
    schema = strawberry.Schema(
        query=Query, execution_context_class=FastExecutionContext if fast else None
    )
    result = await schema.execute(QUERY)
    return result.data, [(e.message, e.path) for e in result.errors or []]


async def test_fast_path_answers_like_graphql_core() -> None:
    fast, slow = await _run(True), await _run(False)

    assert fast == slow
    data, errors = fast
    assert data["items"][0]["shout"] == "ITEM 1"
    assert list(data["items"][0]) == [
        "id", "name", "note", "colour", "at", "data", "required", "shout", "alias", "__typename"
    ]  # fmt: skip
    assert data["broken"] is None
    assert errors == [
        ("Cannot return null for non-nullable field Item.required.", ["broken", "required"])
    ]


@pytest.mark.parametrize("introspection", [True, False])
def test_the_product_schema_uses_it(introspection: bool) -> None:
    from graph.security import Limits

    schema = build_schema(Limits(introspection=introspection))
    assert schema.execution_context_class is FastExecutionContext


async def test_a_document_is_validated_once_whatever_the_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The validation cache is keyed by the document's text: the same text never validates twice,
    and a document refused by its cost never reaches graphql-core's rules at all."""
    import graph.security
    from graph.security import Limits

    calls: list[str] = []
    real = graph.security.validate

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append("validate")
        return real(*args, **kwargs)

    monkeypatch.setattr(graph.security, "validate", counting)
    schema = build_schema(Limits())
    bad = "{ " + "__typename " * 40 + "}"  # 780 pairs of one field to compare

    for _ in range(3):
        assert (await schema.execute("{ __typename }")).errors is None
        refused = await schema.execute(bad)
        assert refused.errors is not None
        assert "same field at one place too many times" in refused.errors[0].message

    assert calls == ["validate"]
