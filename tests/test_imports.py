"""Every import rule of docs/architecture.md, on every module of the project.

Imports go one way (docs/architecture.md, "Imports"): `whmcs_bridge` (the app) on top; then
`graph`; then `integrations/whmcs/sync`; then the WHMCS client side (`integrations/whmcs` outside
`sync/` and `sandbox/`). `models` is used by `graph`, `sync` and the app, and uses none of them.
The sandbox shares no code with the client, either way. `graph` reaches WHMCS only through `sync`:
it imports none of the client's calling machinery. Relative imports (`from .x import`,
`from ..x import`) are resolved to the absolute names they mean; imports inside functions and
under TYPE_CHECKING count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("graph", "models", "integrations", "whmcs_bridge", "migrations")

#: Layer -> the layers it may import (itself included).
ALLOWED: dict[str, set[str]] = {
    "app": {"app", "graph", "sync", "client", "sandbox", "models"},
    "graph": {"graph", "sync", "client", "models"},
    "sync": {"sync", "client", "models"},
    "client": {"client"},
    "sandbox": {"sandbox"},
    "models": {"models"},
    "migrations": {"migrations", "models"},
}

#: The client's calling machinery: graph goes through sync (the Bridge) instead.
CALLING = (
    "integrations.whmcs.client",
    "integrations.whmcs.answer",
    "integrations.whmcs.resources",
    "integrations.whmcs.cache",
)


def layer(name: str) -> str | None:
    """The layer of a module name; None for anything outside the project (stdlib, libraries)."""

    def within(package: str) -> bool:
        return name == package or name.startswith(package + ".")

    if within("integrations.whmcs.sandbox"):
        return "sandbox"
    if within("integrations.whmcs.sync"):
        return "sync"
    if within("integrations"):
        return "client"
    for package, name_of_layer in (
        ("graph", "graph"),
        ("models", "models"),
        ("whmcs_bridge", "app"),
        ("migrations", "migrations"),
    ):
        if within(package):
            return name_of_layer
    return None


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(source: str, name: str, *, is_package: bool) -> set[str]:
    """The absolute names a module's source imports, relative imports resolved.

    `from a import b` counts as `a` and `a.b` (b may be a module)."""
    package = name if is_package else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                if node.level - 1 > len(parts):
                    raise ValueError(f"{name}: relative import beyond the top package")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                target = ".".join(p for p in (base, node.module) if p)
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


MODULES = _modules()


def problems(name: str, names: set[str]) -> list[str]:
    mine = layer(name)
    assert mine is not None, f"{name} belongs to no layer"
    found = []
    for other in sorted(names):
        theirs = layer(other)
        if theirs is not None and theirs not in ALLOWED[mine]:
            found.append(f"{name} ({mine}) imports {other} ({theirs})")
        if mine == "graph" and other.startswith(CALLING):
            found.append(f"{name} (graph) imports {other}: it reaches WHMCS through sync")
    return found


def test_every_module_is_found_and_has_a_layer() -> None:
    layers = {layer(name) for name in MODULES}

    assert None not in layers
    assert layers == set(ALLOWED)
    assert {"graph.schema", "models", "integrations.whmcs.client", "whmcs_bridge.app"} <= set(
        MODULES
    )


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_one_way(name: str) -> None:
    path = MODULES[name]
    names = imported(path.read_text(encoding="utf-8"), name, is_package=path.name == "__init__.py")

    assert problems(name, names) == []


def test_relative_imports_are_resolved() -> None:
    source = (
        "from . import state\n"
        "from .records import ClientRecord\n"
        "from ..client import WhmcsClient\n"
        "def later():\n"
        "    from ...graph import schema\n"
    )

    names = imported(source, "integrations.whmcs.sandbox.actions", is_package=False)

    assert {
        "integrations.whmcs.sandbox.state",
        "integrations.whmcs.sandbox.records",
        "integrations.whmcs.client",
        "integrations.graph",
    } <= names
    assert imported("from .x import y", "integrations.whmcs.sandbox", is_package=True) >= {
        "integrations.whmcs.sandbox.x"
    }


def test_a_broken_rule_is_reported() -> None:
    def check(name: str, source: str) -> list[str]:
        return problems(name, imported(source, name, is_package=False))

    assert check("integrations.whmcs.sandbox.actions", "from ..records import X") == [
        "integrations.whmcs.sandbox.actions (sandbox) imports integrations.whmcs.records (client)",
        "integrations.whmcs.sandbox.actions (sandbox) imports integrations.whmcs.records.X "
        "(client)",
    ]
    assert check("integrations.whmcs.records", "from .sandbox import state") != []
    assert check("integrations.whmcs.records", "import models") != []
    assert check("integrations.whmcs.sync.push", "from graph.errors import to_member") != []
    assert check("integrations.whmcs.sync.push", "import whmcs_bridge.settings") != []
    assert check("models.client", "from integrations.whmcs import records") != []
    assert check("graph.clients.queries", "from integrations.whmcs.resources import x") != []
    assert check("graph.clients.queries", "from integrations.whmcs.records import x") == []
    assert check("graph.clients.queries", "from integrations.whmcs.sync import local") == []
