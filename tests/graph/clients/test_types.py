"""The client types share one field list, and it is the field mapping's (LOCAL_CLIENT_FIELDS)."""

from __future__ import annotations

from strawberry.types.base import get_object_definition

from graph.clients.inputs import ClientInput, ClientPatch
from graph.clients.types import Client, WhmcsClient
from graph.schema import schema
from integrations.whmcs.sync.mapping import LOCAL_CLIENT_FIELDS


def _names(cls: type) -> list[str]:
    return [f.python_name for f in get_object_definition(cls, strict=True).fields]


def test_both_sides_show_the_mapped_fields() -> None:
    assert [n for n in _names(Client) if n in LOCAL_CLIENT_FIELDS] == list(LOCAL_CLIENT_FIELDS)
    assert [n for n in _names(WhmcsClient) if n in LOCAL_CLIENT_FIELDS] == list(LOCAL_CLIENT_FIELDS)


def test_the_inputs_take_the_mapped_fields_three_required_on_create() -> None:
    assert _names(ClientPatch) == list(LOCAL_CLIENT_FIELDS)
    assert _names(ClientInput) == list(LOCAL_CLIENT_FIELDS)
    create = schema._schema.type_map["ClientInput"].fields  # type: ignore[union-attr]
    patch = schema._schema.type_map["ClientPatch"].fields  # type: ignore[union-attr]

    assert [n for n, f in create.items() if str(f.type).endswith("!")] == [
        "firstName",
        "lastName",
        "email",
    ]
    assert [n for n, f in patch.items() if str(f.type).endswith("!")] == []
