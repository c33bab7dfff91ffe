"""One-line errors everywhere in the CLI (issue 11, item 5), through the real command.

Each failure is one line on stderr naming what to fix, a non-zero exit code, no traceback, and
never a password. Databases that cannot be reached: a closed port on PostgreSQL and MariaDB
(no server needed); ones that refuse the credentials or lack the database: the servers that
TEST_DATABASE_URLS names (skipped without them).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.cli import free_port, one_line, run

PASSWORD = "Wr0ng-Passw0rd-xyz"
# Every command that opens the database (serve binds a free port first).
DATABASE_COMMANDS = [
    ["migrate"],
    ["check"],
    ["serve", "--port", "0"],
    ["tokens", "list"],
    ["tokens", "create", "app", "--scope", "read"],
    ["tokens", "revoke", "app"],
    ["logs", "purge", "--older-than", "30", "--dry-run"],
    ["logs", "erase", "--local-id", "1"],
]
OPENING_COMMANDS = [["migrate"], ["check"], ["serve", "--port", "0"]]
REAL = {
    "WHMCS_API_URL": "https://billing.example.com",
    "WHMCS_API_IDENTIFIER": "ident",
    "WHMCS_API_SECRET": "secret-value",
}


def _fails_in_one_line(result: object, *expected: str) -> str:
    assert getattr(result, "returncode", 0) != 0
    stderr: str = getattr(result, "stderr", "")
    line = one_line(stderr)
    assert line.startswith("whmcs-bridge: ")
    for text in expected:
        assert text in line, line
    assert PASSWORD not in stderr + getattr(result, "stdout", "")
    return line


# Every command on one engine; the engine and the mode (the demo, a real WHMCS: other code
# paths in serve and check) on the commands that open the database first.
CLOSED_PORT_CASES = [
    *[pytest.param(c, "postgres", {}, id=f"postgres-{' '.join(c)}") for c in DATABASE_COMMANDS],
    *[pytest.param(c, "mysql", {}, id=f"mysql-{' '.join(c)}") for c in OPENING_COMMANDS],
    *[
        pytest.param(c, scheme, REAL, id=f"{scheme}-real-{' '.join(c)}")
        for c in OPENING_COMMANDS[1:]
        for scheme in ("postgres", "mysql")
    ],
]


@pytest.mark.parametrize(("command", "scheme", "whmcs"), CLOSED_PORT_CASES)
def test_a_database_on_a_closed_port(
    tmp_path: Path, command: list[str], scheme: str, whmcs: dict[str, str]
) -> None:
    port = free_port()
    url = f"{scheme}://root:{PASSWORD}@127.0.0.1:{port}/whmcs_bridge"

    result = run(command, {"DATABASE_URL": url, **whmcs}, tmp_path)

    assert result.returncode == 2
    line = _fails_in_one_line(result, f"127.0.0.1:{port}", "DATABASE_URL")
    assert "cannot connect" in line
    assert "start the database server" in line


def _server(scheme: str) -> tuple[str, int]:
    for url in os.environ.get("TEST_DATABASE_URLS", "").split(","):
        parts = urlsplit(url.strip())
        if parts.scheme.startswith(scheme):
            return parts.hostname or "127.0.0.1", parts.port or 0
    pytest.skip(f"TEST_DATABASE_URLS has no {scheme} URL")


@pytest.mark.parametrize("command", OPENING_COMMANDS, ids=" ".join)
@pytest.mark.parametrize(
    ("scheme", "user", "detail"),
    [
        ("mysql", "root", "Access denied for user 'root'"),
        # The test PostgreSQL trusts loopback, so a wrong password passes; an unknown role not.
        ("postgres", "nobody_here", 'role "nobody_here" does not exist'),
    ],
)
def test_a_database_refusing_the_credentials(
    tmp_path: Path, command: list[str], scheme: str, user: str, detail: str
) -> None:
    host, port = _server(scheme)
    url = f"{scheme}://{user}:{PASSWORD}@{host}:{port}/whmcs_bridge"

    result = run(command, {"DATABASE_URL": url}, tmp_path)

    assert result.returncode == 2
    line = _fails_in_one_line(result, "refused the credentials", detail)
    assert "fix the user and password in DATABASE_URL" in line


@pytest.mark.parametrize("scheme", ["postgres", "mysql"])
def test_a_database_that_does_not_exist(tmp_path: Path, scheme: str) -> None:
    host, port = _server(scheme)
    user = "postgres" if scheme == "postgres" else "root"
    url = f"{scheme}://{user}@{host}:{port}/no_such_database_here"

    result = run(["migrate"], {"DATABASE_URL": url}, tmp_path)

    _fails_in_one_line(result, "does not exist", "no_such_database_here", "create it")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://postgres@127.0.0.1:notaport/x", "DATABASE_URL is not a usable"),
        ("postgres://postgres@no-such-host.invalid:5432/x", "cannot find the database host"),
        ("mysql://root@no-such-host.invalid:3306/x", "no-such-host.invalid"),
        ("redis://127.0.0.1/0", "DATABASE_URL must start with"),
    ],
)
def test_a_database_url_that_cannot_work(tmp_path: Path, url: str, expected: str) -> None:
    result = run(["migrate"], {"DATABASE_URL": url}, tmp_path)

    _fails_in_one_line(result, expected)


@pytest.mark.parametrize("command", [["tokens", "list"], ["serve", "--port", "0"], ["check"]])
def test_a_database_without_tables_says_migrate(tmp_path: Path, command: list[str]) -> None:
    result = run(command, {}, tmp_path)

    _fails_in_one_line(result, "has no tables yet: run `whmcs-bridge migrate`")


def test_export_schema_into_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "schema.graphql"

    result = run(["export-schema", "--output", str(target)], {}, tmp_path)

    assert result.returncode == 2
    _fails_in_one_line(result, f"cannot write {target}", "does not exist", "create it")
    assert not target.parent.exists()


def test_export_schema_onto_a_folder(tmp_path: Path) -> None:
    result = run(["export-schema", "--output", str(tmp_path)], {}, tmp_path)

    _fails_in_one_line(result, f"cannot write {tmp_path}", "Is a directory")


def test_export_schema_writes_where_it_may(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"

    result = run(["export-schema", "--output", str(target)], {}, tmp_path)

    assert result.returncode == 0
    assert target.read_text(encoding="utf-8").startswith(("type ", "schema", '"""', "input "))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve", "--port", "70000"], "a port is 0 to 65535, got '70000'"),
        (["serve", "--port", "eighty"], "a port is 0 to 65535"),
        (["sandbox", "--port", "-1"], "a port is 0 to 65535"),
        (["logs", "purge"], "--older-than"),
        (["no-such-command"], "invalid choice"),
        (["tokens", "create", "x", "--scope", "admin"], "invalid choice"),
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    result = run(args, {}, tmp_path)

    assert result.returncode == 2
    line = _fails_in_one_line(result, expected)
    assert "--help" in line


def test_serve_on_an_address_not_of_this_machine(tmp_path: Path) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0

    result = run(["serve", "--host", "192.0.2.77", "--port", "0"], {}, tmp_path)

    assert result.returncode == 2
    _fails_in_one_line(result, "192.0.2.77 is not an address of this machine", "--host")


def test_serve_on_a_host_name_that_does_not_resolve(tmp_path: Path) -> None:
    result = run(["serve", "--host", "no-such-host.invalid", "--port", "0"], {}, tmp_path)

    _fails_in_one_line(result, "cannot listen on 'no-such-host.invalid'")


def test_the_standalone_sandbox_on_a_taken_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run(["sandbox", "--port", str(port)], {}, tmp_path)

    assert result.returncode == 2
    _fails_in_one_line(result, f"port {port} on 127.0.0.1 is already in use", "--port")


def test_an_unreadable_sandbox_data_file(tmp_path: Path) -> None:
    data = tmp_path / "sandbox.json"
    data.write_text("{", encoding="utf-8")

    result = run(["sandbox", "--port", "0", "--data", str(data)], {}, tmp_path)

    _fails_in_one_line(result, f"{data} is not a readable sandbox data file")


def test_a_field_mapping_that_cannot_be_read(tmp_path: Path) -> None:
    env = {"WHMCS_FIELD_MAPPING_FILE": str(tmp_path / "nope.toml")}

    for command in (["serve", "--port", "0"], ["check"]):
        result = run(command, env, tmp_path)
        assert result.returncode == 2
        _fails_in_one_line(result, "configuration error")


def test_an_unexpected_error_is_one_line_and_a_traceback_on_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from graph.schema import schema
    from whmcs_bridge.cli import main

    def broken() -> str:
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(schema, "as_str", broken)

    quiet = main(["export-schema"])
    quiet_err = capsys.readouterr().err
    loud = main(["--traceback", "export-schema"])
    loud_err = capsys.readouterr().err

    assert (quiet, loud) == (1, 1)
    assert one_line(quiet_err) == (
        "whmcs-bridge: unexpected error (RuntimeError: a bug over two lines); "
        "run again with --traceback to see where, and please report it"
    )
    assert "Traceback (most recent call last)" in loud_err
