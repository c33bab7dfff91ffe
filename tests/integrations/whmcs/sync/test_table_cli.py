"""Start-up checks `[client.table]` through the real command: one line naming what is missing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.cli import one_line, run
from tests.support.laravel_table import CUSTOMERS, MAPPING

PASSWORD = "Sh0uld-N3ver-Show"


def _setup(tmp_path: Path, mapping: str) -> dict[str, str]:
    app = tmp_path / "app.sqlite3"
    with sqlite3.connect(app) as db:
        for statement in CUSTOMERS["sqlite"]:
            db.execute(statement)
    path = tmp_path / "field-mapping.toml"
    path.write_text(mapping.format(database_url=f'database_url = "sqlite://{app}"'), "utf-8")
    env = {"WHMCS_FIELD_MAPPING_FILE": str(path)}
    migrated = run(["migrate"], env, tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    return env


@pytest.mark.parametrize("command", [["check"], ["serve", "--port", "0"]], ids=" ".join)
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'name = "customers"',
            'name = "clientes"',
            "configuration error: Field mapping: [client.table] 'clientes' does not exist in "
            "its database_url",
        ),
        (
            '"client_lastname"',
            '"client_lastnme"',
            "configuration error: Field mapping: table 'customers' has no column "
            "'client_lastnme' (mapped from lastname); its columns: id, client_name",
        ),
    ],
)
def test_a_missing_table_or_column_stops_start_up_in_one_line(
    tmp_path: Path, command: list[str], old: str, new: str, expected: str
) -> None:
    env = _setup(tmp_path, MAPPING.replace(old, new))

    result = run(command, env, tmp_path)

    assert result.returncode == 2, result.stdout + result.stderr
    line = one_line(result.stderr)
    assert line.startswith(f"whmcs-bridge: {expected}"), line


def test_check_passes_with_the_table_in_place(tmp_path: Path) -> None:
    env = _setup(tmp_path, MAPPING)

    result = run(["check"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: Connected to WHMCS")


def test_an_unreachable_application_database_names_its_setting(tmp_path: Path) -> None:
    env = _setup(tmp_path, MAPPING)
    url = f"mysql://app:{PASSWORD}@127.0.0.1:1/app"
    mapping = MAPPING.format(database_url=f'database_url = "{url}"')
    Path(env["WHMCS_FIELD_MAPPING_FILE"]).write_text(mapping, "utf-8")

    result = run(["check"], env, tmp_path)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "cannot connect to the database at mysql://app@127.0.0.1:1/app" in line, line
    assert "[client.table] database_url" in line
    assert PASSWORD not in result.stderr + result.stdout
