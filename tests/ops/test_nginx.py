"""deploy/nginx/whmcs-bridge.conf, exercised: `nginx -t` on the file as shipped (with a
throwaway self-signed certificate), then real nginx on loopback in front of the real server
(`whmcs-bridge serve` with ROOT_PATH and proxy headers), GraphQL and metrics through it.

To tell nginx's connection from the test's own, the test's copy adds `proxy_bind 127.0.0.2`
and the test connects from 127.0.0.3: the app must log the client as 127.0.0.3, which only a
trusted X-Forwarded-For can tell it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import models
from tests.ops.support import (
    ROOT,
    Server,
    free_port,
    in_database,
    require_tool,
    sqlite_with_tokens,
    start_bridge,
    wait_ready,
)

EXAMPLE = ROOT / "deploy" / "nginx" / "whmcs-bridge.conf"
NGINX_SIDE, CLIENT_SIDE = "127.0.0.2", "127.0.0.3"
REQUEST_ID = "nginx-e2e-request-0001"


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "bridge.pem", folder / "bridge.key"
    subprocess.run(
        [
            require_tool("openssl"),
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=bridge.example.com",
            "-addext",
            "subjectAltName=DNS:bridge.example.com,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx/whmcs-bridge.conf no longer has {old!r}"
    return text.replace(old, new)


def _with_certificate(cert: Path, key: Path) -> str:
    text = EXAMPLE.read_text()
    text = _replace(text, "/etc/ssl/certs/bridge.example.com.pem", str(cert))
    return _replace(text, "/etc/ssl/private/bridge.example.com.key", str(key))


def _main_config(folder: Path, site: Path) -> Path:
    """The nginx.conf around the site file: everything in `folder`, in the foreground."""
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir(exist_ok=True)
        os.chmod(folder / name, 0o777)  # the workers may run as nobody
    config = folder / "nginx.conf"
    config.write_text(
        f"""daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log notice;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {site};
}}
"""
    )
    return config


def _nginx_test(nginx: str, folder: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [nginx, "-t", "-p", str(folder), "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_nginx_accepts_the_example_as_shipped(tmp_path: Path) -> None:
    nginx = require_tool("nginx")
    cert, key = _certificate(tmp_path)
    site = tmp_path / "whmcs-bridge.conf"
    site.write_text(_with_certificate(cert, key))

    checked = _nginx_test(nginx, tmp_path, _main_config(tmp_path, site))

    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
    assert "test is successful" in checked.stderr
    assert "[warn]" not in checked.stderr, checked.stderr

    site.write_text(site.read_text().replace("proxy_read_timeout", "proxy_read_timeuot"))
    broken = _nginx_test(nginx, tmp_path, _main_config(tmp_path, site))
    assert broken.returncode != 0  # so the check above could fail


@dataclass
class Deployment:
    server: Server
    https: str
    http: str
    cert: Path
    tokens: dict[str, str]
    db_url: str


@pytest.fixture
def nginx_binary() -> str:
    return require_tool("nginx")


def _deployed_site(cert: Path, key: Path, *, app_port: int, https: int, http: int) -> str:
    text = _with_certificate(cert, key)
    text = _replace(text, "server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    text = _replace(text, "    listen 443 ssl;\n", f"    listen 127.0.0.1:{https} ssl;\n")
    text = _replace(text, "    listen 80;\n", f"    listen 127.0.0.1:{http};\n")
    text = _replace(text, "    listen [::]:443 ssl;\n", "")
    text = _replace(text, "    listen [::]:80;\n", "")
    # Test only: nginx connects to the app from its own address (see the module docstring).
    return _replace(
        text,
        "    proxy_http_version 1.1;",
        f"    proxy_bind {NGINX_SIDE};\n    proxy_http_version 1.1;",
    )


def _start_nginx(binary: str, folder: Path, site: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [binary, "-p", str(folder), "-c", str(_main_config(folder, site))],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
async def deployment(nginx_binary: str, whmcs: Any, tmp_path: Path) -> AsyncIterator[Deployment]:
    db_url, tokens = await sqlite_with_tokens(
        tmp_path, [("app", models.TokenScope.WRITE), ("prometheus", models.TokenScope.METRICS)]
    )
    server = start_bridge(
        whmcs,
        db_url,
        tmp_path,
        ROOT_PATH="/whmcs-bridge",
        FORWARDED_ALLOW_IPS=NGINX_SIDE,
        LOG_FORMAT="json",
    )
    folder = tmp_path / "nginx"
    folder.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(folder, 0o755)
    cert, key = _certificate(folder)
    https, http = free_port(), free_port()
    site = folder / "whmcs-bridge.conf"
    app_port = int(server.url.rsplit(":", 1)[1])
    site.write_text(_deployed_site(cert, key, app_port=app_port, https=https, http=http))
    nginx = _start_nginx(nginx_binary, folder, site)
    try:
        await wait_ready(server)
        for _ in range(200):
            assert nginx.poll() is None, nginx.communicate()[1]
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", https)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        yield Deployment(
            server,
            f"https://127.0.0.1:{https}/whmcs-bridge",
            f"http://127.0.0.1:{http}/whmcs-bridge",
            cert,
            tokens,
            db_url,
        )
    finally:
        nginx.send_signal(signal.SIGQUIT)  # graceful
        try:
            nginx.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            nginx.kill()
            nginx.communicate()
        if server.process.poll() is None:
            server.stop()


@pytest.fixture
async def through(deployment: Deployment) -> AsyncIterator[aiohttp.ClientSession]:
    """A client on 127.0.0.3 that trusts the throwaway certificate."""
    context = ssl.create_default_context(cafile=str(deployment.cert))
    connector = aiohttp.TCPConnector(ssl=context, local_addr=(CLIENT_SIDE, 0))
    async with aiohttp.ClientSession(connector=connector) as http:
        yield http


async def test_graphql_and_metrics_through_nginx_under_a_prefix(
    deployment: Deployment, through: aiohttp.ClientSession
) -> None:
    token, metrics = deployment.tokens["app"], deployment.tokens["prometheus"]
    query = {"query": "{ connectionTest { success sandbox } }"}
    headers = {
        "Authorization": f"Bearer {token}",
        "X-Request-ID": REQUEST_ID,
        "X-Forwarded-For": "198.51.100.7",  # forged by the client: nginx must replace it
    }

    async with through.post(deployment.https + "/graphql", json=query, headers=headers) as r:
        assert r.status == 200, await r.text()
        answer = await r.json()
        echoed = r.headers["X-Request-ID"]
        hsts = r.headers.get("Strict-Transport-Security")
    async with through.post(deployment.https + "/graphql", json=query) as r:
        refused = r.status, (await r.json())["errors"][0]["extensions"]["code"]
    async with through.post(
        deployment.https + "/graphql", json=query, headers={"Authorization": f"Bearer {token}"}
    ) as r:
        generated = r.headers["X-Request-ID"]
    async with through.get(
        deployment.https + "/metrics", headers={"Authorization": f"Bearer {metrics}"}
    ) as r:
        scraped = r.status, await r.text()
    async with through.post(
        deployment.https + "/graphql",
        data=b"x" * 200_000,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    ) as r:
        too_large = r.status
    async with through.get(deployment.http + "/graphql", allow_redirects=False) as r:
        redirect = r.status, r.headers["Location"]

    assert answer == {"data": {"connectionTest": {"success": True, "sandbox": False}}}
    assert echoed == REQUEST_ID
    assert hsts == "max-age=63072000"
    assert refused == (401, "UNAUTHENTICATED")
    assert re.fullmatch(r"[0-9a-f]{32}", generated)  # nginx's own request id, used by the app
    assert scraped[0] == 200
    assert (
        'whmcs_bridge_graphql_requests_total{operation="connectionTest",outcome="success"}'
        in (scraped[1])
    )
    assert too_large == 413
    assert redirect[0] == 301
    assert redirect[1].startswith("https://")

    async def correlation_ids() -> list[str]:
        return list(
            await models.SyncLog.filter(operation=models.SyncOperation.TEST).values_list(
                "correlation_id", flat=True
            )
        )

    assert REQUEST_ID in await in_database(deployment.db_url, correlation_ids)

    deployment.server.stop()
    records = [json.loads(line) for line in deployment.server.stderr_lines if line.strip()]
    access = [
        r for r in records if r["logger"] == "whmcs_bridge.access" and r["request_id"] == REQUEST_ID
    ]
    assert len(access) == 1, records
    # The client as nginx saw it (trusted X-Forwarded-For from 127.0.0.2), not nginx itself
    # and not what the client forged; the path as the app routes it, without the prefix.
    assert access[0]["client"] == CLIENT_SIDE
    assert access[0]["path"] == "/graphql"
    assert access[0]["actor"] == "app"
    assert access[0]["operation"] == "connectionTest"
