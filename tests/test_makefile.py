"""`make run` installs what running needs, `make test` the development tools too (issue 11)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _dry_run(target: str, tmp_path: Path) -> list[str]:
    """The commands `make TARGET` would run on a fresh clone (no virtualenv yet)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    for name in ("Makefile", "pyproject.toml", "scripts/fetch_graphiql.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    result = subprocess.run(
        ["make", "-n", target, "VENV=fresh-venv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [line for line in result.stdout.splitlines() if "pip install" in line]


def test_make_run_installs_no_development_tools(tmp_path: Path) -> None:
    installs = _dry_run("run", tmp_path)

    assert any(line.endswith("pip install -qq -e .") for line in installs), installs
    assert not any("[dev]" in line for line in installs), installs


def test_make_test_installs_the_development_tools(tmp_path: Path) -> None:
    installs = _dry_run("test", tmp_path)

    assert any("-e '.[dev]'" in line for line in installs), installs
