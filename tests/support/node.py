"""Node for the tests that drive JavaScript (tests/browser, the npm WHMCS judge): find node and
install a folder's locked packages with `npm ci` when they are missing.

Without them a test skips, except in CI (CI=true), where that is a failure: .ci/run installs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

__all__ = ["node_with_packages", "unavailable"]


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it: see .ci/run)")
    pytest.skip(reason)


def node_with_packages(folder: Path, package: str, make_target: str) -> str:
    """The node executable, once ``folder/node_modules/<package>`` is installed from the lock."""
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed")
    if not (folder / "node_modules" / package / "package.json").is_file():
        npm = shutil.which("npm")
        if npm is None:
            unavailable(f"{package} is not installed and npm is missing (make {make_target})")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            unavailable(f"npm ci in {folder.name} failed: {done.stderr.strip()[-500:]}")
    return node
