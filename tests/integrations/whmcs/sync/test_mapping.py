"""FieldMapping: defaults, the TOML file, directions, and every way a mapping is refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from integrations.whmcs.records import CLIENT_FIELDS
from integrations.whmcs.sync.mapping import (
    LOCAL_CLIENT_FIELDS,
    Direction,
    FieldMapping,
    FieldRule,
    MappingError,
)
from whmcs_bridge.app import create_app
from whmcs_bridge.settings import Settings

ROOT = Path(__file__).resolve().parents[4]
EXAMPLE = ROOT / "field-mapping.example.toml"
LOCAL_VALUES = {name: f"local {name}" for name in LOCAL_CLIENT_FIELDS}
WHMCS_VALUES = {name: f"whmcs {name}" for name in CLIENT_FIELDS}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_maps_every_field_both_ways() -> None:
    mapping = FieldMapping.default()

    assert [(r.whmcs, r.local) for r in mapping.rules] == list(
        zip(CLIENT_FIELDS, LOCAL_CLIENT_FIELDS, strict=True)
    )
    assert {r.direction for r in mapping.rules} == {Direction.BOTH}
    assert mapping.to_whmcs(LOCAL_VALUES)["phonenumber"] == "local phone_number"
    assert mapping.to_local(WHMCS_VALUES)["company_name"] == "whmcs companyname"
    assert mapping.local_name("companyname") == "company_name"


def test_no_file_means_the_defaults() -> None:
    assert FieldMapping.load(None) == FieldMapping.default()


def test_the_example_file_equals_the_defaults() -> None:
    assert FieldMapping.load(EXAMPLE) == FieldMapping.default()


def test_file_with_string_and_table_specs(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [client]
        firstname = "first_name"
        lastname = { local = "last_name" }
        email = { local = "email", direction = "both" }
        companyname = { local = "company_name", direction = "push" }
        city = { local = "city", direction = "PULL" }
        """,
    )

    mapping = FieldMapping.load(path)

    assert mapping.rules == (
        FieldRule("firstname", "first_name", Direction.BOTH),
        FieldRule("lastname", "last_name", Direction.BOTH),
        FieldRule("email", "email", Direction.BOTH),
        FieldRule("companyname", "company_name", Direction.PUSH),
        FieldRule("city", "city", Direction.PULL),
    )


def test_a_field_may_feed_a_differently_named_local_field(tmp_path: Path) -> None:
    path = write(tmp_path, '[client]\nemail = "email"\naddress2 = "state"\n')

    mapping = FieldMapping.load(path)

    assert mapping.to_whmcs({"state": "Madrid", "email": "a@b.es"}) == {
        "email": "a@b.es",
        "address2": "Madrid",
    }
    assert mapping.to_local({"address2": "Piso 2", "email": "a@b.es"}) == {
        "email": "a@b.es",
        "state": "Piso 2",
    }
    assert mapping.local_name("address2") == "state"


def test_to_whmcs_sends_only_push_and_both_fields(tmp_path: Path) -> None:
    mapping = FieldMapping.load(
        write(
            tmp_path,
            """
            [client]
            email = "email"
            companyname = { local = "company_name", direction = "push" }
            city = { local = "city", direction = "pull" }
            """,
        )
    )

    assert mapping.to_whmcs(LOCAL_VALUES) == {
        "email": "local email",
        "companyname": "local company_name",
    }
    # A local field that has no value yet is sent as None (WHMCS is told to clear it).
    assert mapping.to_whmcs({"email": "x@example.org"}) == {
        "email": "x@example.org",
        "companyname": None,
    }


def test_to_local_writes_only_pull_and_both_fields(tmp_path: Path) -> None:
    mapping = FieldMapping.load(
        write(
            tmp_path,
            """
            [client]
            email = "email"
            companyname = { local = "company_name", direction = "push" }
            city = { local = "city", direction = "pull" }
            """,
        )
    )

    assert mapping.to_local(WHMCS_VALUES) == {"email": "whmcs email", "city": "whmcs city"}


def test_fields_left_out_are_not_synced(tmp_path: Path) -> None:
    mapping = FieldMapping.load(write(tmp_path, '[client]\nemail = "email"\n'))

    assert mapping.to_whmcs(LOCAL_VALUES) == {"email": "local email"}
    assert mapping.to_local(WHMCS_VALUES) == {"email": "whmcs email"}


@pytest.mark.parametrize(
    ("table", "names"),
    [
        pytest.param('fax = "phone_number"', ["'fax'", "firstname"], id="unknown-whmcs-field"),
        pytest.param(
            'phonenumber = "phone"', ["phonenumber", "'phone'", "phone_number"], id="unknown-local"
        ),
        pytest.param(
            'firstname = "first_name"\nlastname = "first_name"',
            ["'first_name'", "twice"],
            id="local-field-twice",
        ),
        pytest.param(
            'city = { local = "city", direction = "sideways" }',
            ["city", "'sideways'", "both, push or pull"],
            id="bad-direction",
        ),
        pytest.param(
            'city = { local = "city", direction = 1 }', ["city", "1"], id="direction-not-text"
        ),
        pytest.param(
            'city = { local = "city", dir = "push", note = "x" }',
            ["city", "'dir'", "'note'"],
            id="unknown-keys",
        ),
        pytest.param(
            'city = { direction = "pull" }', ["city", "local ="], id="table-without-local"
        ),
        pytest.param("city = 3", ["city", "local field name"], id="spec-not-text-or-table"),
    ],
)
def test_invalid_rule_names_the_field(tmp_path: Path, table: str, names: list[str]) -> None:
    path = write(tmp_path, f'[client]\nemail = "email"\n{table}\n')

    with pytest.raises(MappingError) as caught:
        FieldMapping.load(path)

    message = str(caught.value)
    assert message.startswith("Field mapping: ")
    for name in names:
        assert name in message, (name, message)


@pytest.mark.parametrize(
    "table",
    [
        pytest.param('firstname = "first_name"', id="missing"),
        pytest.param('email = { local = "email", direction = "push" }', id="push-only"),
        pytest.param('email = { local = "email", direction = "pull" }', id="pull-only"),
        pytest.param("", id="empty-table"),
        # Push and pull look links up by the local `email` column: WHMCS's e-mail must feed it.
        pytest.param('email = "company_name"\ncompanyname = "email"', id="to-another-field"),
    ],
)
def test_email_must_be_mapped_to_email_both_ways(tmp_path: Path, table: str) -> None:
    with pytest.raises(
        MappingError, match=r"^Field mapping: email must be mapped to email in both directions"
    ):
        FieldMapping.load(write(tmp_path, f"[client]\n{table}\n"))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param('[clients]\nemail = "email"\n', "needs a [client] table", id="no-client"),
        pytest.param('client = "email"\n', "needs a [client] table", id="client-not-a-table"),
        pytest.param("[client]\nemail = \n", "is not valid TOML", id="invalid-toml"),
        pytest.param("[client\n", "is not valid TOML", id="unclosed-table"),
    ],
)
def test_invalid_file_names_the_file(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path, text)

    with pytest.raises(MappingError) as caught:
        FieldMapping.load(path)

    assert str(caught.value).startswith(f"WHMCS_FIELD_MAPPING_FILE {path} ")
    assert fragment in str(caught.value)


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_unreadable_file_names_the_file_and_the_reason(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "nope.toml"
    if kind == "directory":
        path.mkdir()

    with pytest.raises(MappingError) as caught:
        FieldMapping.load(path)

    reason = "No such file or directory" if kind == "missing" else "Is a directory"
    assert str(caught.value) == f"WHMCS_FIELD_MAPPING_FILE {path} cannot be read: {reason}."
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__  # `from None`: one clear message, no chain


def test_app_refuses_to_start_with_an_invalid_mapping(tmp_path: Path) -> None:
    bad = write(tmp_path, '[client]\nemail = "email"\nfax = "phone_number"\n')
    settings = Settings.from_env({"WHMCS_FIELD_MAPPING_FILE": str(bad)}, env_file=None)

    with pytest.raises(MappingError, match="unknown WHMCS client field 'fax'"):
        create_app(settings)


def test_app_starts_with_a_valid_mapping_file(tmp_path: Path) -> None:
    good = write(tmp_path, '[client]\nemail = "email"\n')
    settings = Settings.from_env({"WHMCS_FIELD_MAPPING_FILE": str(good)}, env_file=None)

    assert create_app(settings) is not None


@pytest.mark.parametrize("command", ["serve", "check"])
def test_cli_with_an_invalid_mapping_exits_2_with_one_line(tmp_path: Path, command: str) -> None:
    bad = write(tmp_path, '[client]\nemail = "email"\ncity = { local = "town" }\n')
    # Hold a port and ask the server for it: had `serve` got as far as binding, it would fail
    # differently (uvicorn reports "address already in use" and exits 1).
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("WHMCS_", "DATABASE_URL", "REDIS_URL", "PORT", "HOST"))
        }
        env.update(
            {
                "PYTHONPATH": str(ROOT),
                "WHMCS_FIELD_MAPPING_FILE": str(bad),
                "PORT": str(port),
            }
        )
        result = subprocess.run(
            [sys.executable, "-m", "whmcs_bridge.cli", command],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,  # no .env here
            timeout=120,
            check=False,
        )

    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "whmcs-bridge: configuration error: Field mapping: city maps to unknown local field "
        f"'town' (known: {', '.join(LOCAL_CLIENT_FIELDS)})."
    ]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
