"""The whmcs-bridge command, run as a user runs it (a subprocess)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WHMCS_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "whmcs_bridge.cli", *args],
        capture_output=True,
        text=True,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        timeout=120,
        check=False,
    )


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
