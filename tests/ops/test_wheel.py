"""The wheel production installs from carries what the server needs: GraphiQL's files (served
offline), every migration, the `whmcs-bridge` command."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from graph.view import GRAPHIQL_ASSETS
from tests.ops.support import ROOT
from whmcs_bridge.app import GRAPHIQL_DIR


def test_the_wheel_carries_graphiql_and_the_migrations(tmp_path: Path) -> None:
    if not all((GRAPHIQL_DIR / name).is_file() for name in GRAPHIQL_ASSETS.values()):
        pytest.skip("GraphiQL's files are not fetched here (make graphiql; CI fetches them)")
    offline = ["--no-deps", "--no-build-isolation", "--no-index"]
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", *offline, "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("whmcs_bridge-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    for asset in GRAPHIQL_ASSETS.values():
        assert f"whmcs_bridge/static/graphiql/{asset}" in names
    migrations = {p.name for p in (ROOT / "migrations").glob("0*.py")}
    assert migrations
    assert {f"migrations/{m}" for m in migrations} <= names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "whmcs-bridge = whmcs_bridge.cli:main" in text
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
