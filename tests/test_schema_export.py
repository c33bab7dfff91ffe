"""schema.graphql is what the code exports: consumers generate code from the committed file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graph.schema import schema

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schema_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")

    assert committed == schema.as_str() + "\n", "schema.graphql is stale: run `make schema`"


def test_cli_export_prints_the_same_schema() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "whmcs_bridge.cli", "export-schema"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )

    assert result.stdout == (ROOT / "schema.graphql").read_text(encoding="utf-8")
