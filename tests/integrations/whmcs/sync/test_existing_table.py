"""ExistingTableStore against a Laravel `customers` table on SQLite, PostgreSQL and MariaDB.

Every test checks the table itself (its rows, read with plain SQL), and that its schema is the
same afterwards as the application made it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from integrations.whmcs.sync.errors import InvalidInput, RecordNotFound
from integrations.whmcs.sync.mapping import LOCAL_CLIENT_FIELDS
from integrations.whmcs.sync.stores.existing_table import AmbiguousEmail, ExistingTableStore
from integrations.whmcs.sync.stores.table_shape import ExistingTableError
from tests.integrations.whmcs.sync.conftest import AppTable, table_mapping
from tests.support.laravel_table import MAPPING, SqlRecorder, create_customers, schema_of

ANA = {
    "first_name": "Ana",
    "last_name": "Ruiz",
    "email": "Ana.Ruiz@Example.org",
    "company_name": "Ruiz Hosting SL",
    "phone_number": "+34 600 000 001",
    "address1": "Calle Mayor 1",
    "city": "Madrid",
    "state": "Madrid",
    "postcode": "28001",
    "country": "ES",
}


async def assert_schema_unchanged(table: AppTable) -> None:
    assert await schema_of(table.client) == table.schema_before


async def test_create_writes_the_mapped_columns_and_the_timestamps(app_table: AppTable) -> None:
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)

    created = await app_table.store.create(ANA)

    (row,) = await app_table.rows()
    assert isinstance(created.id, int)
    assert int(row["id"]) == created.id
    assert (row["client_name"], row["client_lastname"], row["email"]) == (
        "Ana",
        "Ruiz",
        "Ana.Ruiz@Example.org",
    )
    assert (row["company"], row["phone"], row["street"], row["town"], row["zip"]) == (
        "Ruiz Hosting SL",
        "+34 600 000 001",
        "Calle Mayor 1",
        "Madrid",
        "28001",
    )
    assert row["country_code"] == "ES"
    assert row["notes"] is None  # not mapped: never written
    assert row["created_at"] is not None
    assert row["created_at"] == row["updated_at"]
    assert created.values == {**dict.fromkeys(LOCAL_CLIENT_FIELDS), **ANA}
    assert created.created_at is not None
    assert created.created_at >= before
    assert created.created_at == created.updated_at
    await assert_schema_unchanged(app_table)


async def test_rows_the_application_wrote_are_read_with_unmapped_fields_null(
    app_table: AppTable,
) -> None:
    big = 2**40 + 7  # a bigint id, past any 32-bit column
    await app_table.insert(id=big, client_name="Luis", email="luis@example.org", notes="vip")

    client = await app_table.store.get(big)

    assert client is not None
    assert client.id == big
    assert client.values["first_name"] == "Luis"
    assert client.values["last_name"] is None
    assert set(client.values) == set(LOCAL_CLIENT_FIELDS)
    assert client.created_at is None  # the application left it empty
    assert await app_table.store.exists(big)
    assert not await app_table.store.exists(big + 1)
    assert await app_table.store.get(big + 1) is None


async def test_update_changes_only_the_given_columns_and_updated_at(app_table: AppTable) -> None:
    created = await app_table.store.create(ANA)
    await app_table.client.execute_query(
        f"UPDATE customers SET notes = {app_table.p(1)}, updated_at = {app_table.p(2)}, "
        f"created_at = {app_table.p(3)}",
        ["kept", *([app_table.stamp(datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC))] * 2)],
    )

    updated = await app_table.store.update(created.id, {"city": "Sevilla", "postcode": None})

    (row,) = await app_table.rows()
    assert (row["town"], row["zip"], row["client_name"], row["notes"]) == (
        "Sevilla",
        None,
        "Ana",
        "kept",
    )
    assert updated.values["city"] == "Sevilla"
    assert updated.created_at == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert updated.updated_at is not None
    assert updated.updated_at.year >= 2026
    with pytest.raises(RecordNotFound) as missing:
        await app_table.store.update(created.id + 1, {"city": "Bilbao"})
    assert missing.value.side == "LOCAL"
    await assert_schema_unchanged(app_table)


async def test_email_lookup_ignores_case_and_refuses_to_pick_between_two_rows(
    app_table: AppTable,
) -> None:
    ana = await app_table.store.create(ANA)

    found = await app_table.store.find_by_email("ana.ruiz@EXAMPLE.org")
    assert found is not None
    assert found.id == ana.id
    assert await app_table.store.find_by_email("ana.ruiz@example.org", exclude=ana.id) is None
    with pytest.raises(InvalidInput) as taken:
        await app_table.store.create({**ANA, "email": "ANA.RUIZ@example.org"})
    assert taken.value.problems[0].field == "email"
    assert str(ana.id) in taken.value.problems[0].message
    # The application's table has no unique index: it may hold one e-mail twice.
    twin = await app_table.insert(client_name="Ana", email="ana.ruiz@example.org")

    with pytest.raises(AmbiguousEmail) as ambiguous:
        await app_table.store.find_by_email("Ana.Ruiz@example.org")

    assert ambiguous.value.local_ids == [ana.id, twin]
    assert f"{ana.id} and {twin}" in ambiguous.value.problems[0].message
    assert isinstance(ambiguous.value, InvalidInput)  # a ValidationError to the API client
    assert len(await app_table.rows()) == 2


async def test_a_value_the_column_cannot_hold_names_the_column(app_table: AppTable) -> None:
    with pytest.raises(InvalidInput) as too_long:
        await app_table.store.create({**ANA, "postcode": "12345678901", "city": "x" * 101})

    problems = {p.field: p.message for p in too_long.value.problems}
    assert problems == {
        "postcode": "customers.zip holds at most 10 characters.",
        "city": "customers.town holds at most 100 characters.",
    }
    created = await app_table.store.create(ANA)
    with pytest.raises(InvalidInput) as required:
        await app_table.store.update(created.id, {"first_name": None})
    assert required.value.problems[0].field == "firstName"
    assert "customers.client_name cannot be empty" in required.value.problems[0].message
    assert [r["client_name"] for r in await app_table.rows()] == ["Ana"]


async def test_a_field_without_a_column_is_refused_not_dropped(app_table: AppTable) -> None:
    mapping = table_mapping(app_table.url, MAPPING.replace('companyname = "company"\n', ""))
    store = ExistingTableStore(mapping)

    with pytest.raises(InvalidInput) as unmapped:
        await store.create({**ANA, "company_name": "Ruiz Hosting SL"})

    assert unmapped.value.problems[0].field == "companyName"
    assert "customers has no column mapped for it" in unmapped.value.problems[0].message
    assert await app_table.rows() == []
    created = await store.create({**ANA, "company_name": None})
    assert created.values["company_name"] is None
    assert (await app_table.rows())[0]["company"] is None


async def test_an_insert_the_table_refuses_names_the_column(app_table: AppTable) -> None:
    q = "`" if app_table.dialect == "mysql" else '"'
    await app_table.client.execute_script(
        f"CREATE TABLE {q}accounts{q} ({q}id{q} "
        + {
            "sqlite": "integer primary key autoincrement not null",
            "postgres": "bigserial primary key",
            "mysql": "bigint unsigned not null auto_increment primary key",
        }[app_table.dialect]
        + f", {q}email{q} varchar(191) not null, {q}client_name{q} varchar(100) null, "
        f"{q}plan{q} varchar(20) not null)"
    )
    text = MAPPING.replace('name = "customers"', 'name = "accounts"')
    text = "\n".join(
        line
        for line in text.splitlines()
        if "=" not in line
        or line.split()[0] in ("name", "id", "{database_url}", "firstname", "email")
        or line.startswith("[")
    )
    store = ExistingTableStore(table_mapping(app_table.url, text))

    with pytest.raises(InvalidInput) as refused:
        await store.create({"first_name": "Ana", "email": "ana@example.org"})

    assert [p.field for p in refused.value.problems] == ["plan"]
    assert "accounts.plan is required by the table" in refused.value.problems[0].message
    rows = await app_table.client.execute_query_dict("SELECT * FROM accounts")
    assert list(rows) == []


async def test_page_searches_the_mapped_columns_and_stream_walks_by_id(
    app_table: AppTable,
) -> None:
    ids = []
    for n, (first, company) in enumerate(
        [("Ana", "Acme"), ("Luis", "50% Off"), ("Marta", None), ("Pablo", "acme 2"), ("Eva", None)]
    ):
        values = {"first_name": first, "last_name": "Test", "email": f"c{n}@example.org"}
        ids.append((await app_table.store.create({**values, "company_name": company})).id)

    acme = await app_table.store.page(offset=0, limit=10, search=" ACME ")
    percent = await app_table.store.page(offset=0, limit=10, search="50%")
    literal = await app_table.store.page(offset=0, limit=10, search="_")
    second = await app_table.store.page(offset=1, limit=2, search=None)
    streamed = [c.id async for c in app_table.store.stream(batch=2)]
    resumed = [c.id async for c in app_table.store.stream(batch=2, after=ids[1])]

    assert ([c.id for c in acme.items], acme.total) == ([ids[0], ids[3]], 2)
    assert [c.values["first_name"] for c in percent.items] == ["Luis"]
    assert literal.items == []
    assert literal.total == 0
    assert ([c.id for c in second.items], second.total) == (ids[1:3], 5)
    assert streamed == ids
    assert resumed == ids[2:]  # a walk resumed past an id reads nothing up to it


async def test_delete_removes_the_row(app_table: AppTable) -> None:
    created = await app_table.store.create(ANA)

    assert await app_table.store.delete(created.id) is True
    assert await app_table.store.delete(created.id) is False
    assert await app_table.rows() == []


async def test_parse_id_accepts_the_column_type_only(app_table: AppTable) -> None:
    await app_table.store.verify()

    assert app_table.store.parse_id("42") == 42
    assert app_table.store.parse_id(str(2**64 - 1)) == 2**64 - 1  # bigint unsigned
    for bad in ("abc", "4.2", "", str(2**64)):
        with pytest.raises(InvalidInput) as refused:
            app_table.store.parse_id(bad)
        assert refused.value.problems[0].field == "id"


async def test_string_ids_are_chosen_as_laravel_uuids(app_table: AppTable) -> None:
    q = "`" if app_table.dialect == "mysql" else '"'
    await app_table.client.execute_script(
        f"CREATE TABLE {q}people{q} ({q}uuid{q} char(36) not null primary key, "
        f"{q}email{q} varchar(191) not null, {q}created_at{q} timestamp null, "
        f"{q}updated_at{q} timestamp null)"
    )
    text = (
        '[client.table]\nname = "people"\nid = "uuid"\n{database_url}\n[client]\nemail = "email"\n'
    )
    store = ExistingTableStore(table_mapping(app_table.url, text))

    created = await store.create({"email": "ana@example.org"})

    assert isinstance(created.id, str)
    assert len(created.id) == 36
    assert store.parse_id(created.id) == created.id
    assert (await store.get(created.id)) == created
    assert [c.id async for c in store.stream()] == [created.id]
    with pytest.raises(InvalidInput):
        store.parse_id("x" * 37)
    for n in range(3):
        await store.create({"email": f"more{n}@example.org"})
    walk = [c.id async for c in store.stream(batch=2)]
    assert len(walk) == 4
    # Resumed past a text id, in the database's own order of ids.
    assert [c.id async for c in store.stream(batch=2, after=walk[1])] == walk[2:]


async def test_start_up_names_a_missing_table_or_column(app_table: AppTable) -> None:
    gone = ExistingTableStore(
        table_mapping(app_table.url, MAPPING.replace('name = "customers"', 'name = "clientes"'))
    )
    typo = ExistingTableStore(
        table_mapping(app_table.url, MAPPING.replace('"client_lastname"', '"client_lastnme"'))
    )

    with pytest.raises(ExistingTableError) as no_table:
        await gone.verify()
    with pytest.raises(ExistingTableError) as no_column:
        await typo.verify()

    assert "'clientes' does not exist in its database_url" in str(no_table.value)
    assert "has no column 'client_lastnme' (mapped from lastname)" in str(no_column.value)
    await assert_schema_unchanged(app_table)


async def test_no_ddl_reaches_the_table(app_table: AppTable) -> None:
    recorder = SqlRecorder()
    with recorder.on(app_table.client):
        store = ExistingTableStore(app_table.mapping)  # a fresh one: its start-up check too
        await store.verify()
        created = await store.create(ANA)
        await store.update(created.id, {"city": "Sevilla"})
        await store.find_by_email("ana.ruiz@example.org")
        await store.page(offset=0, limit=5, search="ana")
        assert [c.id async for c in store.stream(batch=1)] == [created.id]
        with pytest.raises(InvalidInput):
            await store.create({**ANA, "postcode": "x" * 11})
        await store.delete(created.id)

    assert len(recorder.statements) >= 8
    assert recorder.ddl() == []
    assert {s.split()[0].upper() for s in recorder.statements} <= {
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "PRAGMA",
    }
    await assert_schema_unchanged(app_table)


async def test_the_table_may_live_in_the_bridges_own_database(app_table: AppTable) -> None:
    from tortoise import connections

    default = connections.get("default")
    await create_customers(default)
    store = ExistingTableStore(table_mapping(None))
    recorder = SqlRecorder()

    with recorder.on(default):
        created = await store.create(ANA)
        fetched = await store.get(created.id)

    assert fetched == created
    rows = await default.execute_query_dict("SELECT client_name FROM customers")
    assert [r["client_name"] for r in rows] == ["Ana"]
    assert await app_table.rows() == []  # not the application database's table
    assert recorder.ddl() == []
    await default.execute_script("DROP TABLE customers")  # the test's own, on a shared server
