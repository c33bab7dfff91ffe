"""graph/modules.py: each module's Query and Mutation classes merged into one schema; one page
type; every error that names a record says which kind of record."""

from __future__ import annotations

import pytest
import strawberry
from graphql import GraphQLNonNull, GraphQLObjectType

from graph import modules
from graph.schema import schema
from graph.types.page import Page

ERROR_FIELDS_NAMING_A_RECORD = {"id", "localId", "whmcsId", "requestedLocalId"}


def _type(name: str) -> GraphQLObjectType:
    found = schema._schema.type_map[name]
    assert isinstance(found, GraphQLObjectType)
    return found


def test_the_query_lists_every_part_s_fields_in_order() -> None:
    expected = [
        strawberry_name for part in modules.QUERIES for strawberry_name in _graphql_names(part)
    ]

    assert list(_type("Query").fields) == expected
    assert list(_type("Mutation").fields) == [
        name for part in modules.MUTATIONS for name in _graphql_names(part)
    ]


def _graphql_names(part: type) -> list[str]:
    return [schema.config.name_converter.get_graphql_name(f) for f in _fields(part)]


def _fields(part: type) -> list[strawberry.types.field.StrawberryField]:
    from strawberry.types.base import get_object_definition

    return list(get_object_definition(part, strict=True).fields)


def test_two_parts_defining_one_field_are_refused() -> None:
    @strawberry.type
    class One:
        @strawberry.field
        def same(self) -> int:
            return 1

    @strawberry.type
    class Two:
        @strawberry.field
        def same(self) -> int:
            return 2

    with pytest.raises(TypeError, match=r"Query\.same is defined by One and Two"):
        modules.merge("Query", (One, Two))


@pytest.mark.parametrize(
    ("page", "item"),
    [("ClientPage", "Client"), ("WhmcsClientPage", "WhmcsClient"), ("SyncLogPage", "SyncLog")],
)
def test_every_page_is_the_one_generic_page(page: str, item: str) -> None:
    fields = _type(page).fields

    assert list(fields) == ["items", "total", "offset", "limit"]
    assert str(fields["items"].type) == f"[{item}!]!"
    assert all(str(fields[n].type) == "Int!" for n in ("total", "offset", "limit"))


def test_every_page_type_in_the_schema_is_built_from_page() -> None:
    pages = {n: t for n, t in schema._schema.type_map.items() if n.endswith("Page")}

    assert {"ClientPage", "WhmcsServicePage", "WhmcsDomainPage"} <= set(pages)
    for name, graphql_type in pages.items():
        origin = graphql_type.extensions["strawberry-definition"].origin
        assert issubclass(origin, Page), f"{name} is a page class of its own, not Page[T]"


def test_every_error_that_names_a_record_carries_its_entity_type() -> None:
    error = schema._schema.type_map["Error"]
    naming = [
        t
        for t in schema._schema.type_map.values()
        if isinstance(t, GraphQLObjectType)
        and (error in t.interfaces or t.name == "StaleLink")
        and ERROR_FIELDS_NAMING_A_RECORD & set(t.fields)
    ]

    assert {t.name for t in naming} >= {
        "NotFoundError",
        "AlreadyLinkedError",
        "NotLinkedError",
        "DuplicateInWhmcsError",
        "StaleLink",
    }
    # Named in its message only ("Another operation on local client 7 is running").
    naming.append(_type("SyncInProgressError"))
    for t in naming:
        entity_type = t.fields.get("entityType")
        assert entity_type is not None, f"{t.name} names a record but not its entityType"
        assert isinstance(entity_type.type, GraphQLNonNull), t.name
        assert str(entity_type.type) == "EntityType!", t.name
