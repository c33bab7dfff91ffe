"""Dependency rules: the WHMCS client side knows nothing of ``graph`` or ``models``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import integrations.whmcs
from tests.test_imports import imported as every_import
from tests.test_imports import module_name

PACKAGE = Path(integrations.whmcs.__file__).parent
# Modules of the client side (sandbox/ and sync/ have rules of their own).
CLIENT_MODULES = sorted(
    p
    for p in PACKAGE.rglob("*.py")
    if not ({"sandbox", "sync"} & set(p.relative_to(PACKAGE).parts))
)
OWN_MODULES = [p for p in CLIENT_MODULES if p.name != "cache.py"]


def imported(path: Path) -> set[str]:
    """What the module imports, relative imports resolved (tests/test_imports.py)."""
    return every_import(path.read_text(), module_name(path), is_package=path.name == "__init__.py")


def test_the_client_modules_are_found() -> None:
    names = {p.name for p in OWN_MODULES}
    assert {
        "client.py",
        "errors.py",
        "normalise.py",
        "records.py",
        "redact.py",
        "clients.py",
    } <= names


@pytest.mark.parametrize("path", CLIENT_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_graph_or_models(path: Path) -> None:
    for name in imported(path):
        assert name.split(".")[0] not in {"graph", "models"}, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", OWN_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_stdlib_aiohttp_and_the_package(path: Path) -> None:
    for name in imported(path):
        top = name.split(".")[0]
        allowed = top in sys.stdlib_module_names or top == "aiohttp"
        allowed = allowed or name == "integrations.whmcs" or name.startswith("integrations.whmcs.")
        allowed = allowed and not name.startswith(
            ("integrations.whmcs.sync", "integrations.whmcs.sandbox")
        )
        assert allowed, f"{path.name} imports {name}"
