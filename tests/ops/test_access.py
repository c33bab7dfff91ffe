"""/metrics and /graphql from outside, as an attacker would try them: the real server process
behind a path prefix (ROOT_PATH), raw HTTP requests with every method, header spelling and path
encoding. Only a metrics token reads /metrics; a metrics token opens no GraphQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import models
from tests.ops.support import Server, sqlite_with_tokens, start_bridge, wait_ready


async def raw(server: Server, request: str) -> tuple[int, str]:
    """Send `request` as written (no client library normalising the path); status and body."""
    parts = urlsplit(server.url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(request.replace("\n", "\r\n").encode() + b"\r\n")
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 20)
    writer.close()
    head, _, body = answer.decode("latin-1").partition("\r\n\r\n")
    if "transfer-encoding: chunked" in head.lower():
        body = _unchunked(body)
    return int(head.split(" ", 2)[1]), body


def _unchunked(body: str) -> str:
    out = []
    while body:
        size_line, _, body = body.partition("\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        out.append(body[:size])
        body = body[size + 2 :]
    return "".join(out)


def get(path: str, *headers: str, method: str = "GET", body: str = "") -> str:
    lines = [f"{method} {path} HTTP/1.1", "Host: bridge.example", "Connection: close", *headers]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return "\n".join(lines) + "\n\n" + body if body else "\n".join(lines) + "\n"


@pytest.fixture
async def served(whmcs: Any, tmp_path: Path) -> AsyncIterator[tuple[Server, dict[str, str]]]:
    db_url, tokens = await sqlite_with_tokens(
        tmp_path,
        [
            ("prometheus", models.TokenScope.METRICS),
            ("app", models.TokenScope.WRITE),
            ("dashboard", models.TokenScope.READ),
        ],
    )
    # As deployed: the names clients use are listed (ALLOWED_HOSTS).
    server = start_bridge(
        whmcs, db_url, tmp_path, ROOT_PATH="/bridge", ALLOWED_HOSTS="bridge.example"
    )
    try:
        await wait_ready(server)
        yield server, tokens
    finally:
        server.stop()


async def test_metrics_open_to_a_metrics_token_only(served: tuple[Server, dict[str, str]]) -> None:
    server, tokens = served
    metrics = tokens["prometheus"]

    status, body = await raw(server, get("/metrics", f"Authorization: Bearer {metrics}"))
    assert status == 200
    assert "whmcs_bridge_graphql_requests_total" in body or "whmcs_bridge_links" in body
    # The scheme is case-insensitive (RFC 9110); the token itself is not.
    assert (await raw(server, get("/metrics", f"Authorization: bearer {metrics}")))[0] == 200
    assert (await raw(server, get("/metrics", f"Authorization: Bearer {metrics.upper()}")))[
        0
    ] == 401

    refused = {
        "no header": get("/metrics"),
        "empty bearer": get("/metrics", "Authorization: Bearer "),
        "basic": get("/metrics", "Authorization: Basic cHJvbWV0aGV1czp4"),
        "other scheme": get("/metrics", f"Authorization: Token {metrics}"),
        "bare token": get("/metrics", f"Authorization: {metrics}"),
        "in the query": get(f"/metrics?access_token={metrics}"),
        "as a cookie": get("/metrics", f"Cookie: token={metrics}"),
        "in another header": get("/metrics", f"X-Api-Key: {metrics}"),
        "encoded path": get("/%6Detrics"),
        "HEAD": get("/metrics", method="HEAD"),
        "read token": get("/metrics", f"Authorization: Bearer {tokens['dashboard']}"),
        "write token": get("/metrics", f"Authorization: Bearer {tokens['app']}"),
    }
    for what, request in refused.items():
        status, body = await raw(server, request)
        assert status in (401, 403), (what, status)
        assert "whmcs_bridge_" not in body, what
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        status, body = await raw(
            server, get("/metrics", f"Authorization: Bearer {metrics}", method=method)
        )
        assert status == 405, (method, status)
        assert "whmcs_bridge_" not in body
    for path in ("/METRICS", "//metrics", "/metrics%2F", "/bridge/metrics", "/metrics/x"):
        status, body = await raw(server, get(path, f"Authorization: Bearer {metrics}"))
        assert status in (404, 307), (path, status)
        assert "whmcs_bridge_" not in body, path


async def test_graphql_behind_the_prefix_still_needs_a_token(
    served: tuple[Server, dict[str, str]],
) -> None:
    server, tokens = served
    query = json.dumps({"query": "{ stats { totalSynced } }"})
    create = json.dumps(
        {
            "query": "mutation($i: ClientInput!) { createLocalClient(input: $i) { __typename } }",
            "variables": {"i": {"firstName": "A", "lastName": "B", "email": "a@b.example"}},
        }
    )

    for what, request in {
        "POST, no token": get("/graphql", method="POST", body=query),
        "GET, no token": get("/graphql?query=%7Bstats%7BtotalSynced%7D%7D"),
        "POST, metrics token": get(
            "/graphql", f"Authorization: Bearer {tokens['prometheus']}", method="POST", body=query
        ),
        "GET, metrics token": get(
            "/graphql?query=%7Bstats%7BtotalSynced%7D%7D",
            f"Authorization: Bearer {tokens['prometheus']}",
        ),
        "mutation, metrics token": get(
            "/graphql", f"Authorization: Bearer {tokens['prometheus']}", method="POST", body=create
        ),
        "encoded path, no token": get("/%67raphql", method="POST", body=query),
    }.items():
        status, body = await raw(server, request)
        assert status == 401, (what, status, body)
        assert json.loads(body)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", what

    status, body = await raw(
        server,
        get("/graphql", f"Authorization: Bearer {tokens['dashboard']}", method="POST", body=query),
    )
    assert status == 200
    assert json.loads(body) == {"data": {"stats": {"totalSynced": 0}}}
