"""The token gate in process: one gate for every request that can execute GraphQL.

The same rules against the real server, on every path spelling and with `--root-path`, are in
test_gate_process.py; these pin the answers themselves.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

import models
from tests.conftest import Api
from whmcs_bridge.tokens import create_token

STRICT = {"DEMO_ALLOW_ANONYMOUS": "false"}
LEAK = "{ leak: clients { total } }"
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _executed(response: httpx.Response) -> bool:
    return b'"leak"' in response.content


@pytest.mark.parametrize("settings_env", [STRICT], indirect=True)
@pytest.mark.parametrize("accept", ["text/html", BROWSER["Accept"], "*/*", "application/json"])
async def test_a_query_in_the_url_needs_a_token_whatever_the_accept_header(
    api: Api, accept: str
) -> None:
    response = await api.http.get("/graphql", params={"query": LEAK}, headers={"Accept": accept})

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not _executed(response)


@pytest.mark.parametrize("settings_env", [{**STRICT, "GRAPHQL_IDE": "false"}], indirect=True)
async def test_with_graphiql_off_a_browser_get_is_an_api_request(api: Api) -> None:
    anonymous = await api.http.get("/graphql", params={"query": LEAK}, headers=BROWSER)
    page = await api.http.get("/graphql", headers=BROWSER)

    assert anonymous.status_code == 401
    assert page.status_code == 401  # no page to serve: the gate asks for a token
    assert "GraphiQL" not in page.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD", "TRACE", "PROPFIND"])
async def test_other_methods_are_refused_before_anything(api: Api, method: str) -> None:
    response = await api.http.request(
        method,
        "/graphql",
        params={"query": LEAK},
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
        content=b'{"query": "{ leak: clients { total } }"}',
    )

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    if method != "HEAD":
        assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert not _executed(response)


@pytest.mark.parametrize(
    "authorization",
    [
        [("authorization", "")],
        [("authorization", "Bearer wbt_wrong")],
        [("authorization", "Token abc")],
        [("authorization", "Bearer wbt_wrong"), ("authorization", "Bearer wbt_also-wrong")],
    ],
    ids=["empty", "wrong", "other-scheme", "two-headers"],
)
async def test_the_demo_checks_every_credential_presented(
    api: Api, authorization: list[tuple[str, str]]
) -> None:
    """Anonymous access (the demo) is for requests that present nothing: an empty header, a
    wrong token or two headers are a credential presented, and refused."""
    response = await api.http.post(
        "/graphql", json={"query": LEAK}, headers=httpx.Headers(authorization)
    )

    assert response.status_code == 401
    assert not _executed(response)


@pytest.mark.parametrize("settings_env", [STRICT], indirect=True)
async def test_two_authorization_headers_are_refused_even_when_one_is_valid(api: Api) -> None:
    valid = f"Bearer {api.token}"
    both = httpx.Headers([("authorization", valid), ("authorization", "Bearer wbt_other")])

    response = await api.http.post("/graphql", json={"query": LEAK}, headers=both)

    assert response.status_code == 401
    assert "one Authorization header" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "settings_env", [{**STRICT, "API_RATE_LIMIT_PER_MINUTE": "2"}], indirect=True
)
async def test_the_token_budget_counts_get_and_post_alike(api: Api) -> None:
    auth = {"Authorization": f"Bearer {api.token}"}
    url = "/graphql?query=" + quote(LEAK)

    codes = [
        (await api.http.get(url, headers={**auth, **BROWSER})).status_code,
        (await api.http.post("/graphql", json={"query": LEAK}, headers=auth)).status_code,
        (await api.http.get(url, headers=auth)).status_code,
    ]

    assert codes == [200, 200, 429]


@pytest.mark.parametrize("settings_env", [STRICT], indirect=True)
async def test_a_read_token_over_get_is_still_read_only_and_audited(api: Api) -> None:
    reader = await create_token("get-reader", models.TokenScope.READ)
    headers = {"Authorization": f"Bearer {reader}", **BROWSER}

    listed = await api.http.get(
        "/graphql", params={"query": "{ whmcsClients { __typename } }"}, headers=headers
    )
    mutation = await api.http.get(
        "/graphql",
        params={"query": "mutation { unlink(localId: 1) { __typename } }"},
        headers=headers,
    )

    assert listed.status_code == 200
    assert mutation.status_code == 400  # no mutation over GET, whoever asks
    actors = await models.SyncLog.all().values_list("actor", flat=True)
    assert actors == ["get-reader"]


async def test_websockets_are_refused(api: Api) -> None:
    """Nothing subscribes: a websocket to /graphql (graphql-transport-ws) is closed at once."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    for path in ("/graphql", "/"):
        sent.clear()
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [
                (b"host", b"localhost"),
                (b"authorization", f"Bearer {api.token}".encode()),
            ],
            "subprotocols": ["graphql-transport-ws"],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        await api.app(scope, receive, send)
        assert [m["type"] for m in sent] == ["websocket.close"], sent
