"""`[client.table]` in the field mapping: an existing table's columns, and every refusal."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from integrations.whmcs.sync.mapping import Direction, FieldMapping, FieldRule, MappingError

GOOD = """
[client.table]
name = "customers"
id = "id"

[client]
firstname = "client_name"
lastname = { column = "client_lastname", direction = "push" }
email = "email"
"""


def parse(text: str) -> FieldMapping:
    return FieldMapping.from_table(tomllib.loads(text)["client"])


def test_the_issues_example_maps_whmcs_fields_to_the_tables_columns(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(GOOD, encoding="utf-8")

    mapping = FieldMapping.load(path)

    assert mapping.table is not None
    assert (mapping.table.name, mapping.table.id, mapping.table.database_url) == (
        "customers",
        "id",
        None,
    )
    assert mapping.rules == (
        FieldRule("firstname", "first_name", Direction.BOTH, "client_name"),
        FieldRule("lastname", "last_name", Direction.PUSH, "client_lastname"),
        FieldRule("email", "email", Direction.BOTH, "email"),
    )
    assert mapping.columns == {
        "first_name": "client_name",
        "last_name": "client_lastname",
        "email": "email",
    }
    # Push and pull still speak local fields: the API's names do not change.
    assert mapping.to_whmcs({"first_name": "Ana", "last_name": "Ruiz", "email": "a@b.co"}) == {
        "firstname": "Ana",
        "lastname": "Ruiz",
        "email": "a@b.co",
    }
    assert mapping.to_local({"firstname": "Ana", "lastname": "Ruiz", "email": "a@b.co"}) == {
        "first_name": "Ana",
        "email": "a@b.co",
    }


def test_the_built_in_mapping_names_no_table() -> None:
    assert FieldMapping.default().table is None
    assert FieldMapping.default().columns == {}


def test_the_password_of_database_url_is_never_shown() -> None:
    mapping = parse(
        GOOD.replace('id = "id"', 'id = "id"\ndatabase_url = "mysql://app:s3cret@db/app"')
    )

    assert mapping.table is not None
    assert mapping.table.database_url == "mysql://app:s3cret@db/app"
    assert mapping.table.password == "s3cret"
    assert "s3cret" not in repr(mapping)
    assert "app:[REDACTED]@db" in repr(mapping.table)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('firstname = "client_name"', 'first_name = "client_name"'),
            "unknown WHMCS client field 'first_name'",
        ),
        (
            (
                'lastname = { column = "client_lastname", direction = "push" }',
                'lastname = "client_name"',
            ),
            "column 'client_name' is mapped twice (firstname and lastname)",
        ),
        (
            (
                'lastname = { column = "client_lastname", direction = "push" }',
                'lastname = "CLIENT_NAME"',
            ),
            "column 'CLIENT_NAME' is mapped twice",
        ),
        (('email = "email"\n', ""), "email must be mapped to a column in both directions"),
        (
            ('email = "email"', 'email = { column = "email", direction = "pull" }'),
            "email must be mapped to a column in both directions",
        ),
        (
            ('name = "customers"', 'name = "customers; DROP TABLE users"'),
            "[client.table] name 'customers; DROP TABLE users' is not a plain SQL identifier",
        ),
        (
            ('name = "customers"', 'name = "app.cust-omers"'),
            "'cust-omers' is not a plain SQL identifier",
        ),
        (
            ('name = "customers"', 'title = "customers"'),
            "[client.table] has unknown keys ['title']",
        ),
        (('id = "id"', 'id = "1d"'), "[client.table] id '1d' is not a plain SQL identifier"),
        (
            ('firstname = "client_name"', 'firstname = "client name"'),
            "firstname's column 'client name' is not a plain SQL identifier",
        ),
        (('firstname = "client_name"', 'firstname = "id"'), "the table's id column"),
        (
            ('firstname = "client_name"', 'firstname = { local = "client_name" }'),
            "firstname has unknown keys ['local'] (known: column, direction)",
        ),
        (
            ('id = "id"', 'id = "id"\ndatabase_url = "ftp://u:pw@host/x"'),
            "database_url must be a database URL",
        ),
    ],
)
def test_a_mapping_the_bridge_cannot_use_is_refused_naming_what(
    change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in GOOD

    with pytest.raises(MappingError) as refused:
        parse(GOOD.replace(old, new))

    assert message in str(refused.value)
    assert "pw" not in str(refused.value)


def test_a_table_without_a_name_is_refused() -> None:
    with pytest.raises(MappingError, match=r'needs name = "<the table>"'):
        parse(GOOD.replace('name = "customers"\n', ""))
