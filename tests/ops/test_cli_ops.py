"""The command as an operator types it: a metrics token, and serve's worker count checked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.test_cli import run


def test_tokens_create_with_the_metrics_scope(tmp_path: Path) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0

    created = run(["tokens", "create", "prometheus", "--scope", "metrics"], {}, tmp_path)
    listed = run(["tokens", "list"], {}, tmp_path)
    wrong = run(["tokens", "create", "x", "--scope", "admin"], {}, tmp_path)

    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("wbt_")
    assert "(metrics) created" in created.stderr
    assert listed.stdout.startswith("prometheus\tmetrics\t")
    database = tmp_path / "data" / "whmcs-bridge.sqlite3"
    rows = sqlite3.connect(database).execute("SELECT name, scope FROM api_tokens").fetchall()
    assert rows == [("prometheus", "metrics")]
    assert wrong.returncode == 2
    assert "invalid choice: 'admin'" in wrong.stderr


def test_serve_refuses_bad_worker_counts(tmp_path: Path) -> None:
    zero = run(["serve", "--workers", "0"], {}, tmp_path)
    demo = run(["serve", "--workers", "2"], {}, tmp_path)
    env = run(["serve"], {"WORKERS": "many"}, tmp_path)

    assert zero.returncode == 2
    assert "--workers must be between 1 and 64" in zero.stderr
    assert demo.returncode == 2
    assert "each would run its own sandbox" in demo.stderr
    assert env.returncode == 2
    assert "WORKERS must be a number" in env.stderr
    assert "Traceback" not in zero.stderr + demo.stderr + env.stderr
