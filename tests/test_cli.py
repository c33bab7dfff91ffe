"""The whmcs-bridge command, run as a user runs it (a subprocess)."""

from __future__ import annotations

import datetime
import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import ROOT, run


def test_migrate_creates_the_default_sqlite_database(tmp_path: Path) -> None:
    result = run(["migrate"], {}, tmp_path)

    assert result.returncode == 0, result.stderr
    database = tmp_path / "data" / "whmcs-bridge.sqlite3"
    tables = {r[0] for r in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")}
    assert {"clients", "sync_map", "sync_logs"} <= tables


def test_check_succeeds_on_the_sandbox(tmp_path: Path) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0

    result = run(["check"], {}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: Connected to WHMCS 8.13.3.")
    assert "WHMCS SANDBOX MODE" in result.stderr  # announced loudly
    # ... and said plainly on stdout, where a script or a person reads the outcome.
    note = result.stdout.splitlines()[1]
    assert note.startswith("Note: this tested the built-in WHMCS sandbox, NOT a real WHMCS")
    assert "WHMCS_API_URL is not set" in note


def test_check_against_a_real_whmcs_does_not_say_sandbox(tmp_path: Path) -> None:
    from tests.test_demo_safety import standalone_sandbox

    assert run(["migrate"], {}, tmp_path).returncode == 0
    with standalone_sandbox(tmp_path) as url:
        env = {
            "WHMCS_API_URL": url,
            "WHMCS_API_IDENTIFIER": "sandbox-identifier",
            "WHMCS_API_SECRET": "sandbox-secret",
        }
        result = run(["check"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: Connected to WHMCS 8.13.3.")
    assert "sandbox" not in result.stdout.lower()
    assert len(result.stdout.splitlines()) == 1


def test_migrate_says_what_it_applied_then_that_nothing_was_pending(tmp_path: Path) -> None:
    first = run(["migrate"], {}, tmp_path)
    second = run(["migrate"], {}, tmp_path)

    names = sorted(p.stem for p in (ROOT / "migrations").glob("[0-9]*.py"))
    assert len(names) >= 4
    assert first.stdout == (
        f"Applied {len(names)} migration(s) to sqlite://./data/whmcs-bridge.sqlite3: "
        f"{', '.join(names)}.\n"
    )
    assert second.stdout == (
        "Nothing to apply: sqlite://./data/whmcs-bridge.sqlite3 is up to date.\n"
    )
    assert (first.stderr, second.stderr) == ("", "")


def test_check_fails_with_the_hint(tmp_path: Path) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0
    env = {
        "WHMCS_API_URL": "http://127.0.0.1:9",
        "WHMCS_API_IDENTIFIER": "IDENT-cli-1234",
        "WHMCS_API_SECRET": "SECRET-cli-5678",
        "WHMCS_API_TIMEOUT": "2",
    }

    result = run(["check"], env, tmp_path)

    assert result.returncode == 1
    assert result.stdout.startswith("FAILED [UNREACHABLE]: Connection failed")
    assert "Hint: Could not reach WHMCS" in result.stdout
    for text in (result.stdout, result.stderr):
        assert "IDENT-cli-1234" not in text
        assert "SECRET-cli-5678" not in text


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WHMCS_API_TIMEOUT": "abc"}, "WHMCS_API_TIMEOUT must be a number, got 'abc'."),
        ({"WHMCS_API_URL": "https://b.example.com"}, "WHMCS_API_IDENTIFIER is required"),
    ],
)
@pytest.mark.parametrize("command", ["serve", "check", "migrate"])
def test_invalid_configuration_is_one_line_not_a_traceback(
    tmp_path: Path, command: str, env: dict[str, str], message: str
) -> None:
    result = run([command], env, tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("whmcs-bridge: configuration error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_tokens_create_list_revoke(tmp_path: Path) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0

    created = run(["tokens", "create", "billing-app", "--scope", "read"], {}, tmp_path)
    listed = run(["tokens", "list"], {}, tmp_path)
    again = run(["tokens", "create", "billing-app", "--scope", "write"], {}, tmp_path)
    revoked = run(["tokens", "revoke", "billing-app"], {}, tmp_path)
    listed_after = run(["tokens", "list"], {}, tmp_path)

    assert created.returncode == 0
    token = created.stdout.strip()
    assert token.startswith("wbt_")
    assert created.stdout == token + "\n"  # only the token on stdout, to pipe it
    database = (tmp_path / "data" / "whmcs-bridge.sqlite3").read_bytes()
    assert token.encode() not in database
    assert listed.stdout.startswith("billing-app\tread\t")
    assert again.returncode == 1
    assert "exists already" in again.stderr
    assert (revoked.returncode, listed_after.stdout) == (0, "")


def test_serve_outside_the_demo_refuses_to_run_without_tokens(tmp_path: Path) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0
    env = {
        "WHMCS_API_URL": "https://billing.example.com",
        "WHMCS_API_IDENTIFIER": "ident",
        "WHMCS_API_SECRET": "secret-value",
    }

    result = run(["serve", "--port", "0"], env, tmp_path)  # serve binds before the check

    assert result.returncode == 2
    assert "no API token exists" in result.stderr
    assert "tokens create" in result.stderr


def _audit_entries(tmp_path: Path, *ages_in_days: int) -> None:
    database = sqlite3.connect(tmp_path / "data" / "whmcs-bridge.sqlite3")
    now = datetime.datetime.now(datetime.UTC)
    with database:
        for age in ages_in_days:
            created = (now - datetime.timedelta(days=age)).isoformat(sep=" ")
            database.execute(
                "INSERT INTO sync_logs (operation, status, correlation_id, created_at) "
                "VALUES ('TEST', 'SUCCESS', 'cli-test', ?)",
                (created,),
            )
    database.close()


def _audit_count(tmp_path: Path) -> int:
    database = sqlite3.connect(tmp_path / "data" / "whmcs-bridge.sqlite3")
    (count,) = database.execute("SELECT COUNT(*) FROM sync_logs").fetchone()
    database.close()
    return int(count)


def test_logs_purge_dry_run_counts_and_deletes_nothing(tmp_path: Path) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0
    _audit_entries(tmp_path, 400, 100, 91, 2)

    result = run(["logs", "purge", "--older-than", "90", "--dry-run"], {}, tmp_path)

    assert result.returncode == 0
    assert result.stdout == (
        "Would delete 3 audit entries older than 90 days (dry run: nothing deleted).\n"
    )
    assert _audit_count(tmp_path) == 4


def test_logs_purge_without_a_terminal_needs_yes(tmp_path: Path) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0
    _audit_entries(tmp_path, 400, 2)

    refused = run(["logs", "purge", "--older-than", "0"], {}, tmp_path)  # stdin: /dev/null
    assert _audit_count(tmp_path) == 2
    confirmed = run(["logs", "purge", "--older-than", "30", "--yes"], {}, tmp_path)

    assert refused.returncode == 2
    assert refused.stderr == (
        "whmcs-bridge: Delete 2 audit entries older than 0 days (this cannot be undone): "
        "confirm with --yes (there is no terminal to ask on)\n"
    )
    assert confirmed.stdout == "Deleted 1 audit entries older than 30 days.\n"
    assert _audit_count(tmp_path) == 1


@pytest.mark.parametrize(("answer", "left", "code"), [("n\n", 2, 1), ("\n", 2, 1), ("y\n", 0, 0)])
def test_logs_purge_asks_on_a_terminal(tmp_path: Path, answer: str, left: int, code: int) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0
    _audit_entries(tmp_path, 40, 50)
    controller, terminal = pty.openpty()
    try:
        os.write(controller, answer.encode())
        result = run(["logs", "purge", "--older-than", "30"], {}, tmp_path, stdin=terminal)
    finally:
        os.close(controller)
        os.close(terminal)

    assert result.returncode == code, result.stderr
    assert "Delete 2 audit entries older than 30 days (this cannot be undone)? [y/N]" in (
        result.stderr
    )
    assert _audit_count(tmp_path) == left


def test_logs_purge_and_erase(tmp_path: Path) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0

    purged = run(["logs", "purge", "--older-than", "30"], {}, tmp_path)
    erased = run(["logs", "erase", "--local-id", "7"], {}, tmp_path)
    unnamed = run(["logs", "erase"], {}, tmp_path)

    assert purged.stdout == "Deleted 0 audit entries older than 30 days.\n"
    assert erased.stdout == "Scrubbed personal data from 0 audit entries.\n"
    assert unnamed.returncode == 2


def test_commands_on_an_unmigrated_database_say_so(tmp_path: Path) -> None:
    result = run(["tokens", "list"], {}, tmp_path)

    assert result.returncode == 2
    assert "whmcs-bridge migrate" in result.stderr
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_runs_the_demo_end_to_end(tmp_path: Path) -> None:
    """What `make run` does: migrate, serve on SQLite + sandbox, answer connectionTest."""
    import json
    import time
    import urllib.request

    assert run(["migrate"], {}, tmp_path).returncode == 0
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WHMCS_", "DATABASE_URL"))}
    server = subprocess.Popen(
        [sys.executable, "-m", "whmcs_bridge.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**clean, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            data=b'{"query":"{ connectionTest { success whmcsVersion message } }"}',
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
    finally:
        server.terminate()
        stdout, stderr = server.communicate(timeout=20)

    result = answer["data"]["connectionTest"]
    assert result["success"] is True
    assert result["whmcsVersion"] == "8.13.3"
    assert "sandbox" in result["message"]
    assert "Authorization: Bearer wbt_" in stdout  # the ready-to-paste demo token
    assert "Headers pane" in stdout
    assert "WHMCS SANDBOX MODE" in stderr
