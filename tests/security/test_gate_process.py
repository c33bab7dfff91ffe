"""No data without a valid token, on any path, against the real server process.

Three servers: `whmcs-bridge serve`; uvicorn with `--root-path /api` (a proxy that strips the
prefix, the README's line); and the same with the demo's anonymous access on. Every request
below asks for `leak: clients { total }`; an answer that holds `"leak"` executed GraphQL. It
must never do so without a valid token (and, in the demo, never with a wrong one), whatever the
method, path spelling, headers or query string, with the prefix in the request path or not.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

from tests.security.conftest import RawResponse, Server, raw_request, running_server

QUERY = "{ leak: clients { total } }"
POST_BODY = b'{"query": "{ leak: clients { total } }"}'
GET_QUERY = "query=" + quote(QUERY)

PATHS = [
    "/graphql",
    "/graphql/",
    "//graphql",
    "/graph%71l",
    "/%67raphql",
    "/GRAPHQL",
    "/graphql%2F",
    "/./graphql",
    "/x/../graphql",
    "/graphql;x",
    "/static/graphiql/../../graphql",
]
METHODS = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "get"]
ACCEPTS = [None, "text/html,application/xhtml+xml,*/*;q=0.8", "*/*"]
CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded"]


def _server(tmp_path_factory: pytest.TempPathFactory, **options: str) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("gate"), **options) as server:
        yield server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _server(tmp_path_factory)


@pytest.fixture(scope="module")
def prefixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _server(tmp_path_factory, root_path="/api")


@pytest.fixture(scope="module")
def prefixed_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _server(tmp_path_factory, root_path="/api", DEMO_ALLOW_ANONYMOUS="true")


def _requests(server: Server, authorizations: list[str]) -> Iterator[tuple[str, ...]]:
    """Every path spelling, method and Accept header, with the prefix and without, the query in
    the URL and not; each wrong credential on the paths that route; each content type."""
    prefixes = ["", server.prefix] if server.prefix else [""]
    for prefix, path, method, accept, query in itertools.product(
        prefixes, PATHS, METHODS, ACCEPTS, ("", "?" + GET_QUERY)
    ):
        yield prefix + path + query, method, accept or "", authorizations[0]
    for prefix, method, accept, auth, query in itertools.product(
        prefixes, ("GET", "POST", "HEAD"), ACCEPTS, authorizations[1:], ("", "?" + GET_QUERY)
    ):
        yield prefix + "/graphql" + query, method, accept or "", auth
    for content_type, auth in itertools.product(CONTENT_TYPES, authorizations):
        yield "/graphql", "POST", content_type, auth


def _send(server: Server, target: str, method: str, accept: str, auth: str) -> RawResponse:
    """`accept` is an Accept header, or for a POST the Content-Type (one of CONTENT_TYPES)."""
    headers: list[tuple[str, str]] = []
    body = b""
    if method.upper() in ("POST", "PUT", "PATCH"):
        content_type = accept if accept in CONTENT_TYPES else "application/json"
        headers.append(("Content-Type", content_type))
        body = POST_BODY
    if accept and accept not in CONTENT_TYPES:
        headers.append(("Accept", accept))
    if auth:
        headers.append(("Authorization", auth))
    return raw_request(server.port, method, target, headers, body)


def _leaks(server: Server, authorizations: list[str]) -> list[str]:
    """Every request of `_requests` that executed GraphQL (sent four at a time)."""
    requests = list(_requests(server, authorizations))
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda r: _send(server, *r), requests))
    assert len(answers) > 300
    for request, answer in zip(requests, answers, strict=True):
        assert answer.status < 500, (request, answer)
    return [
        f"{method} {target} accept={accept!r} auth={auth!r}: {answer.status}"
        for (target, method, accept, auth), answer in zip(requests, answers, strict=True)
        if b'"leak"' in answer.body
    ]


def _valid_token(server: Server, name: str) -> str:
    return server.cli("tokens", "create", name, "--scope", "read")


def _revoked_token(server: Server) -> str:
    token = server.cli("tokens", "create", "soon-revoked", "--scope", "read")
    assert _leaked(_send(server, "/graphql", "POST", "", f"Bearer {token}"))  # it worked once
    server.cli("tokens", "revoke", "soon-revoked")
    deadline = time.monotonic() + 20  # the verifier remembers an answer for 5 s
    while _leaked(_send(server, "/graphql", "POST", "", f"Bearer {token}")):
        assert time.monotonic() < deadline, "a revoked token still works after 20 s"
        time.sleep(0.5)
    return token


def _leaked(answer: RawResponse) -> bool:
    return answer.status == 200 and b'"leak"' in answer.body


WRONG = [
    "Bearer wbt_not-a-token",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "bearer wbt_" + "x" * 43,
    "Bearer wbt_" + "y" * 300,
]


@pytest.mark.parametrize("which", ["served", "prefixed"])
def test_no_request_without_a_valid_token_executes_graphql(
    which: str, request: pytest.FixtureRequest
) -> None:
    server: Server = request.getfixturevalue(which)
    revoked = _revoked_token(server)

    leaks = _leaks(server, ["", *WRONG, f"Bearer {revoked}"])

    assert leaks == []


@pytest.mark.parametrize("which", ["served", "prefixed"])
def test_a_valid_token_gets_data_on_the_routed_path_only(
    which: str, request: pytest.FixtureRequest
) -> None:
    """The positive control: the same requests with a token do execute, where the router
    sends them to GraphQL (so the test above would have seen a leak)."""
    server: Server = request.getfixturevalue(which)
    token = _valid_token(server, f"control-{which}")
    auth = f"Bearer {token}"

    post = _send(server, "/graphql", "POST", "", auth)
    get = _send(server, "/graphql?" + GET_QUERY, "GET", "text/html", auth)
    prefixed = _send(server, server.prefix + "/graphql", "POST", "", auth)

    assert post.status == 200
    assert post.json()["data"]["leak"]["total"] == 0
    assert get.status == 200
    assert get.json()["data"]["leak"]["total"] == 0
    if server.prefix:  # uvicorn adds the root path: a request that kept it is not routed
        assert prefixed.status == 404


def test_the_demo_refuses_a_wrong_token_where_anonymous_access_is_allowed(
    prefixed_demo: Server,
) -> None:
    revoked = _revoked_token(prefixed_demo)
    anonymous = _send(prefixed_demo, "/graphql", "POST", "", "")

    leaks = _leaks(prefixed_demo, [*WRONG, f"Bearer {revoked}"])

    assert _leaked(anonymous)  # the demo without a token works...
    assert leaks == []  # ...and a token given is checked, wherever and however it comes


@pytest.mark.parametrize("which", ["served", "prefixed"])
def test_the_graphiql_page_carries_no_data_and_executes_nothing(
    which: str, request: pytest.FixtureRequest
) -> None:
    server: Server = request.getfixturevalue(which)
    browser = [("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")]

    plain = raw_request(server.port, "GET", "/graphql", browser)
    page = raw_request(server.port, "GET", "/graphql?q=" + quote(QUERY), browser)
    with_query = raw_request(server.port, "GET", "/graphql?" + GET_QUERY, browser)
    head = raw_request(server.port, "HEAD", "/graphql", browser)

    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.body == plain.body  # static: nothing of the request or the data in it
    assert b"leak" not in page.body
    # Its files load from under the mount point the proxy gives the app.
    assert f'src="{server.prefix}/static/graphiql/graphiql.min.js"'.encode() in page.body
    asset = raw_request(server.port, "GET", "/static/graphiql/graphiql.min.js")
    assert asset.status == 200
    # A query in the URL is an execution, and needs the token like any other.
    assert with_query.status == 401
    assert head.status == 200
    assert head.body == b""


def test_the_audit_names_the_actor_of_a_query_sent_over_get(served: Server) -> None:
    token = _valid_token(served, "get-reader")
    lookup = "{ whmcsClients(limit: 1) { __typename } }"

    answer = _send(served, "/graphql?query=" + quote(lookup), "GET", "text/html", f"Bearer {token}")
    logs = _send(
        served,
        "/graphql?query=" + quote("{ syncLogs(limit: 1) { items { actor operation } } }"),
        "GET",
        "",
        f"Bearer {token}",
    )

    assert answer.status == 200, answer
    assert logs.json()["data"]["syncLogs"]["items"] == [
        {"actor": "get-reader", "operation": "LIST"}
    ]


def test_uvicorns_own_command_line_gets_the_same_header_limit(prefixed: Server) -> None:
    """The README's uvicorn line names the bounded protocol: headers past 16 KB get 431."""
    answer = raw_request(prefixed.port, "GET", "/healthz", [("X-Pad", "a" * 40_000)])

    assert answer.status == 431
