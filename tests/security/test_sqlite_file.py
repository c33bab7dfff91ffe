"""The SQLite file (clients and the audit log: personal data) is its owner's only."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.conftest import raw_request, running_server, server_env
from whmcs_bridge.db import tortoise_config


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o000])
def test_migrate_creates_the_file_and_its_folders_for_the_owner_only(
    tmp_path: Path, umask: int
) -> None:
    env = server_env(tmp_path, DATABASE_URL="sqlite://./data/nested/bridge.sqlite3")
    done = subprocess.run(
        [sys.executable, "-c", f"import os, sys; os.umask({umask}); "
         "from whmcs_bridge.cli import main; sys.exit(main(['migrate']))"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    database = tmp_path / "data" / "nested" / "bridge.sqlite3"
    assert database.stat().st_size > 0  # migrated, in the file created first
    assert _mode(database) == 0o600
    assert _mode(tmp_path / "data") == 0o700
    assert _mode(tmp_path / "data" / "nested") == 0o700


def test_the_wal_files_of_a_running_server_are_the_owners_only(tmp_path: Path) -> None:
    database = tmp_path / "live" / "bridge.sqlite3"
    with running_server(tmp_path, DATABASE_URL=f"sqlite://{database}") as server:
        server.cli("tokens", "create", "writer", "--scope", "write")  # a write: WAL in use
        answer = raw_request(server.port, "GET", "/readyz")
        companions = [p for p in database.parent.iterdir() if p.name != database.name]

        assert answer.status == 200
        assert companions, "no -wal/-shm file while the server runs"
        for path in [database, *companions]:
            assert _mode(path) & 0o077 == 0, (path.name, oct(_mode(path)))


def test_an_existing_file_others_can_read_is_named_in_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "old.sqlite3"
    database.touch()
    os.chmod(database, 0o644)

    with caplog.at_level(logging.WARNING, logger="whmcs_bridge.db"):
        tortoise_config(f"sqlite://{database}")

    assert _mode(database) == 0o644  # left as the operator set it...
    assert "can be read by other users (mode 644): chmod 600 it" in caplog.text  # ...and said


def test_memory_databases_and_the_import_time_config_create_nothing(tmp_path: Path) -> None:
    tortoise_config("sqlite://:memory:")
    tortoise_config(f"sqlite://{tmp_path / 'never.sqlite3'}", create_file=False)

    assert list(tmp_path.iterdir()) == []
