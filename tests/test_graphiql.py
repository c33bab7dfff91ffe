"""GraphiQL offline: the page loads its 7 files from this server only, each matching its SRI hash.

The files are fetched at set-up (`make install` runs scripts/fetch_graphiql.py). Tests that need
them skip when they are missing, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from strawberry.http.ides import get_graphql_ide_html

import whmcs_bridge.app
from graph.view import (
    GRAPHIQL_ASSETS,
    GRAPHIQL_URL_PREFIX,
    GraphiQLPageChangedError,
    offline_graphiql_html,
)
from tests.conftest import Api, running_app
from whmcs_bridge.app import GRAPHIQL_DIR

ROOT = Path(__file__).resolve().parent.parent
HTML = {"Accept": "text/html"}
LOCAL_TAG = re.compile(r'(?:src|href)="(/static/graphiql/[^"]+)"\s+integrity="sha384-([^"]+)"')


def sri(data: bytes) -> str:
    return base64.b64encode(hashlib.sha384(data).digest()).decode()


def require_assets() -> None:
    if all((GRAPHIQL_DIR / name).is_file() for name in GRAPHIQL_ASSETS.values()):
        return
    message = f"GraphiQL's files are not in {GRAPHIQL_DIR}: run `make install`"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def fetch_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fetch_graphiql", ROOT / "scripts" / "fetch_graphiql.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_strawberry_page_still_loads_the_seven_files_we_serve() -> None:
    """A strawberry upgrade that changes its GraphiQL page fails here, not in a browser."""
    page = offline_graphiql_html(get_graphql_ide_html("graphiql"))

    assert "unpkg.com" not in page
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', page) == []
    assert sorted(path for path, _ in LOCAL_TAG.findall(page)) == sorted(
        GRAPHIQL_URL_PREFIX + name for name in GRAPHIQL_ASSETS.values()
    )


def test_a_changed_strawberry_page_is_refused_loudly() -> None:
    page = get_graphql_ide_html("graphiql").replace("graphiql@3.8.3", "graphiql@3.9.0")

    with pytest.raises(GraphiQLPageChangedError, match=r"graphiql@3\.8\.3"):
        offline_graphiql_html(page)


async def test_page_and_its_files_come_from_this_server(api: Api) -> None:
    require_assets()
    page = await api.http.get("/graphql", headers=HTML)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "unpkg.com" not in page.text
    tags = LOCAL_TAG.findall(page.text)
    assert len(tags) == len(GRAPHIQL_ASSETS) == 7
    for path, integrity in tags:
        served = await api.http.get(path)  # no token: static files are public
        assert served.status_code == 200, path
        assert sri(served.content) == integrity, f"{path} does not match its SRI hash"
        kind = "text/css" if path.endswith(".css") else "javascript"
        assert kind in served.headers["content-type"], (path, served.headers["content-type"])


@pytest.mark.parametrize("folder", ["absent", "empty"])
async def test_missing_files_get_a_page_saying_how_to_fetch_them(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    if folder == "empty":
        (tmp_path / "graphiql").mkdir()
    monkeypatch.setattr(whmcs_bridge.app, "GRAPHIQL_DIR", tmp_path / "graphiql")

    async with running_app({}) as api:
        page = await api.http.get("/graphql", headers=HTML)
        asset = await api.http.get(GRAPHIQL_URL_PREFIX + "graphiql.min.js")

    assert page.status_code == 503
    assert "make graphiql" in page.text
    assert "make install" not in page.text  # a no-op once installed: its stamp file exists
    assert "scripts/fetch_graphiql.py --strict" in page.text
    assert "graphiql.min.js" in page.text
    assert "<script" not in page.text
    assert "style-src 'self' 'sha256-" in page.headers["content-security-policy"]  # its style
    assert "unpkg" not in page.text
    assert "https://" not in page.text
    assert asset.status_code == 404


@pytest.mark.parametrize("settings_env", [{"GRAPHQL_IDE": "false"}], indirect=True)
async def test_no_ide_no_files(api: Api) -> None:
    for name in GRAPHIQL_ASSETS.values():
        assert (await api.http.get(GRAPHIQL_URL_PREFIX + name)).status_code == 404


def test_fetch_script_does_nothing_when_the_files_are_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    require_assets()
    dest = tmp_path / "graphiql"
    shutil.copytree(GRAPHIQL_DIR, dest)
    monkeypatch.setenv("PATH", str(tmp_path / "no-npm-here"))  # any npm call would fail

    assert fetch_script().main(["--strict", "--dest", str(dest)]) == 0
    assert "all 7 GraphiQL files present and valid" in capsys.readouterr().out


def test_fetch_script_detects_a_tampered_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    require_assets()
    dest = tmp_path / "graphiql"
    shutil.copytree(GRAPHIQL_DIR, dest)
    (dest / "react.production.min.js").write_text("alert('not react')")
    monkeypatch.setenv("PATH", str(tmp_path / "no-npm-here"))

    assert fetch_script().main(["--strict", "--dest", str(dest)]) == 1  # must refetch; no npm
    assert fetch_script().main(["--dest", str(dest)]) == 0  # without --strict: a warning
    assert "could not fetch GraphiQL's files" in capsys.readouterr().err
    assert (dest / "react.production.min.js").read_text() == "alert('not react')"
