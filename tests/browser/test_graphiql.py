"""GraphiQL in a real browser: the real server, system Chromium driven by playwright-core (Node).

The server runs as `whmcs-bridge serve` would (sandbox demo, tokens required: DEMO_ALLOW_ANONYMOUS
off, so the query only works if the Authorization header typed into the Headers pane is sent).
The page must render from this server alone: every request it makes is recorded, and any to
another host is blocked and fails the test.

Needs /usr/bin/chromium (or $CHROMIUM), node, and playwright-core in tests/browser/node_modules
(installed here with `npm ci` when missing; `make browser-deps` does the same). It skips when one
is missing, except in CI (CI=true), where that is a failure: .ci/run installs them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from graph.view import GRAPHIQL_ASSETS
from tests.support.node import node_with_packages, unavailable
from tests.support.processes import free_port, stop
from whmcs_bridge.app import GRAPHIQL_DIR

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ARTIFACTS = HERE / "artifacts"
QUERY = "{ connectionTest { success } }"
TOKEN_LINE = re.compile(r"Authorization: Bearer (\S+)")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        unavailable("Chromium is not installed (apt-get install -y chromium)")
    return path


@pytest.fixture(scope="module")
def node() -> str:
    return node_with_packages(HERE, "playwright-core", "browser-deps")


@dataclass
class Server:
    base: str
    token: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`whmcs-bridge migrate` then `serve` in an empty folder: SQLite, the sandbox demo."""
    if not all((GRAPHIQL_DIR / name).is_file() for name in GRAPHIQL_ASSETS.values()):
        unavailable(f"GraphiQL's files are not in {GRAPHIQL_DIR}: run `make install`")
    workdir = tmp_path_factory.mktemp("server")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WHMCS_", "DATABASE_", "REDIS_", "CORS_", "GRAPHQL_", "DEMO_"))
    }
    env |= {
        "DATABASE_URL": f"sqlite://{workdir / 'bridge.sqlite3'}",
        "DEMO_ALLOW_ANONYMOUS": "false",
        "PYTHONPATH": str(ROOT),
    }
    cli = [sys.executable, "-m", "whmcs_bridge.cli"]
    subprocess.run([*cli, "migrate"], cwd=workdir, env=env, check=True, timeout=60)
    port = free_port()
    log = (workdir / "serve.log").open("w+")
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        assert process.stdout is not None
        token = _demo_token(process, log)
        base = f"http://127.0.0.1:{port}"
        _wait_until_ready(base, process, log)
        yield Server(base, token)
    finally:
        stop(process, timeout=10)
        log.close()


def _demo_token(process: subprocess.Popen[str], log: Any) -> str:
    """The token the demo prints at start-up (in its banner, before it serves)."""
    assert process.stdout is not None
    for line in process.stdout:
        found = TOKEN_LINE.search(line)
        if found:
            return found[1]
    log.seek(0)
    raise AssertionError(f"the server printed no demo token; its log:\n{log.read()}")


def _wait_until_ready(base: str, process: subprocess.Popen[str], log: Any) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    log.seek(0)
    raise AssertionError(f"the server did not become ready; its log:\n{log.read()}")


def test_graphiql_runs_a_query_with_the_token_from_the_headers_pane(
    server: Server, node: str, chromium: str
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "graphiql.png"
    screenshot.unlink(missing_ok=True)
    # Without the token the same query is refused: the header typed in the browser is what counts.
    anonymous = httpx.post(f"{server.base}/graphql", json={"query": QUERY}, timeout=5)
    assert anonymous.status_code == 401

    done = subprocess.run(
        [
            node,
            str(HERE / "graphiql.mjs"),
            *("--base", server.base),
            *("--token", server.token),
            *("--query", QUERY),
            *("--screenshot", str(screenshot)),
            *("--chromium", chromium),
        ],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)

    assert report["error"] is None, report
    assert json.loads(report["headersEditor"]) == {"Authorization": f"Bearer {server.token}"}
    assert json.loads(report["result"]) == {"data": {"connectionTest": {"success": True}}}
    assert '"success": true' in report["result"]  # as the result pane shows it
    assert report["blocked"] == [], "the page tried to load from outside this server"
    assert report["pageErrors"] == []
    assert report["cspViolations"] == []  # the policy allows everything the page needs...
    assert "script-src 'self' 'sha256-" in report["csp"]  # ...and no script from elsewhere
    assert "connect-src 'self'" in report["csp"]
    assert "unsafe-inline" not in report["csp"]
    # Opened without ?q=, it shows a query to run and how to send the token.
    assert "connectionTest" in report["initialQuery"]
    assert "clients(limit: 5)" in report["initialQuery"]
    assert '{"Authorization": "Bearer wbt_..."}' in report["initialQuery"]
    assert "Welcome to GraphiQL" not in report["initialQuery"]
    urls = [request["url"] for request in report["requests"]] + report["websockets"]
    hosts = {urlsplit(url).hostname for url in urls if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, urls
    loaded = {urlsplit(url).path for url in urls}
    assert {f"/static/graphiql/{name}" for name in GRAPHIQL_ASSETS.values()} <= loaded
    queries = [
        request
        for request in report["requests"]
        if request["method"] == "POST" and urlsplit(request["url"]).path == "/graphql"
    ]
    assert f"Bearer {server.token}" in [request["authorization"] for request in queries]
    assert screenshot.stat().st_size > 10_000
