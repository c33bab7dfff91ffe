"""The built-in local store over the `clients` table: what it stores and what it refuses."""

from __future__ import annotations

import pytest

import models
from integrations.whmcs.sync.errors import InvalidInput, RecordNotFound, ValueTaken
from integrations.whmcs.sync.mapping import LOCAL_CLIENT_FIELDS, FieldMapping
from integrations.whmcs.sync.store import LocalClient, LocalStore
from integrations.whmcs.sync.stores import open_client_store
from integrations.whmcs.sync.stores.builtin import BuiltinClientStore

pytestmark = pytest.mark.usefixtures("db")


def _ana(**changes: str | None) -> dict[str, str | None]:
    return {"first_name": "Ana", "last_name": "Ruiz", "email": "Ana@Example.org", **changes}


def test_the_default_mapping_opens_the_builtin_store() -> None:
    store: LocalStore = open_client_store(FieldMapping.default())
    assert isinstance(store, BuiltinClientStore)
    assert store.entity_type is models.EntityType.CLIENT


async def test_create_stores_the_row_and_answers_every_local_field() -> None:
    store = BuiltinClientStore()

    made = await store.create(_ana(city="Madrid"))

    row = await models.Client.get(id=made.id)
    assert (row.first_name, row.email, row.email_key, row.city) == (
        "Ana",
        "Ana@Example.org",
        "ana@example.org",
        "Madrid",
    )
    assert isinstance(made, LocalClient)
    assert set(made.values) == set(LOCAL_CLIENT_FIELDS)
    assert made.values["city"] == "Madrid"
    assert made.values["country"] is None
    assert made.created_at == row.created_at
    assert made.updated_at == row.updated_at
    assert await store.get(made.id) == made
    assert await store.get(str(made.id)) == made  # a GraphQL ID's text finds it too
    assert await store.exists(made.id)
    assert not await store.exists(made.id + 1)


async def test_find_by_email_ignores_case_and_can_exclude_one() -> None:
    store = BuiltinClientStore()
    made = await store.create(_ana())

    found = await store.find_by_email("ANA@example.ORG")

    assert found is not None
    assert found.id == made.id
    assert await store.find_by_email("ana@example.org", exclude=made.id) is None


async def test_a_second_record_with_the_same_email_is_refused_naming_the_field() -> None:
    store = BuiltinClientStore()
    await store.create(_ana())

    with pytest.raises(ValueTaken) as caught:
        await store.create(_ana(email="ana@EXAMPLE.org", first_name="Other"))

    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("email", "ana@EXAMPLE.org is already used.")
    ]
    assert await models.Client.all().count() == 1


async def test_update_changes_only_the_given_keys() -> None:
    store = BuiltinClientStore()
    made = await store.create(_ana(city="Madrid", phone_number="+34 600 111 222"))

    changed = await store.update(made.id, {"city": "Sevilla", "email": "ana.new@example.org"})

    row = await models.Client.get(id=made.id)
    assert (row.city, row.phone_number, row.email_key) == (
        "Sevilla",
        "+34 600 111 222",
        "ana.new@example.org",
    )
    assert changed.values["city"] == "Sevilla"
    assert changed.values["phone_number"] == "+34 600 111 222"


async def test_update_of_a_missing_record_is_not_found_and_unknown_keys_are_refused() -> None:
    store = BuiltinClientStore()
    made = await store.create(_ana())

    with pytest.raises(RecordNotFound) as missing:
        await store.update(made.id + 1, {"city": "Sevilla"})
    with pytest.raises(InvalidInput) as unknown:
        await store.update(made.id, {"shoe_size": "42"})

    assert (missing.value.entity_type, missing.value.record_id, missing.value.side) == (
        models.EntityType.CLIENT,
        str(made.id + 1),
        "LOCAL",
    )
    assert [p.field for p in unknown.value.problems] == ["shoe_size"]


async def test_delete_says_whether_there_was_a_record() -> None:
    store = BuiltinClientStore()
    made = await store.create(_ana())

    assert await store.delete(made.id) is True
    assert await store.delete(made.id) is False
    assert await models.Client.all().count() == 0


async def test_page_searches_and_stream_walks_every_record_in_id_order() -> None:
    store = BuiltinClientStore()
    ids = [
        (await store.create(_ana(email=f"c{i}@example.org", last_name=f"Name{i}"))).id
        for i in range(7)
    ]

    page = await store.page(offset=1, limit=2, search=None)
    found = await store.page(offset=0, limit=10, search="NAME3")
    streamed = [c.id async for c in store.stream(batch=3)]
    resumed = [c.id async for c in store.stream(batch=2, after=ids[2])]

    assert ([c.id for c in page.items], page.total, page.offset, page.limit) == (ids[1:3], 7, 1, 2)
    assert [c.id for c in found.items] == [ids[3]]
    assert found.total == 1
    assert streamed == ids
    assert resumed == ids[3:]  # a walk resumed past an id reads nothing up to it
    assert [c.id async for c in store.stream(after=ids[-1])] == []


def test_parse_id_takes_the_tables_integer_ids_only() -> None:
    store = BuiltinClientStore()

    assert store.parse_id(" 42 ") == 42
    for raw in ("abc", "0", "²", str(2**31)):
        with pytest.raises(InvalidInput):
            store.parse_id(raw)


async def test_stream_gives_each_client_as_get_does() -> None:
    store = BuiltinClientStore()
    for i in range(5):
        client = await store.create(_ana(email=f"s{i}@example.org", company_name=None))
        if i == 2:
            await store.update(client.id, {"city": "Bilbao", "phone_number": None})

    streamed = [c async for c in store.stream(batch=2)]

    got = [await store.get(c.id) for c in streamed]
    assert streamed == got
    assert [repr(c) for c in streamed] == [repr(c) for c in got]  # same types and time zones
    assert len(streamed) == 5
    assert streamed[2].values["city"] == "Bilbao"
    assert all(c.created_at is not None and c.updated_at is not None for c in streamed)
