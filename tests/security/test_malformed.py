"""Malformed requests get a clear 4xx and one log line, never a 500 or a traceback.

No token is needed to send any of these (the audit's crashes were anonymous), so each is tried
with a valid token too: the answer is the same.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.conftest import Api
from tests.security.conftest import Server, raw_request, running_server

BODIES = {
    "deeply nested arrays": b"[" * 100_000 + b"]" * 100_000,
    "deeply nested objects": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    "deep variables": b'{"query": "{ __typename }", "variables": {"v": '
    + b"[" * 3_000
    + b"]" * 3_000
    + b"}}",
    "invalid UTF-8": b'{"query": "{ __typename }", "operationName": "\xff\xfe"}',
    "overlong UTF-8": b'{"query": "{ __typename \xc0\xaf }"}',
    "lone surrogate in operationName": b'{"query": "{ __typename }", "operationName": "\\ud800"}',
    "lone surrogate in variables": b'{"query": "{ __typename }", "variables": {"a": "\\udfff"}}',
    "lone surrogate in the query": b'{"query": "{ __typename \\ud83d }"}',
    "encoded surrogate bytes": b'{"query": "{ __typename }", "operationName": "\xed\xa0\x80"}',
    "an array": b"[]",
    "an array of operations": b'[{"query": "{ __typename }"}]',
    "a string": b'"{ __typename }"',
    "a number": b"42",
    "null": b"null",
    "true": b"true",
    "empty": b"",
    "truncated": b'{"query": "{ __typename }"',
    "trailing garbage": b'{"query": "{ __typename }"} {}',
    "operationName a number": b'{"query": "{ __typename }", "operationName": 7}',
    "operationName an object": b'{"query": "{ __typename }", "operationName": {"a": 1}}',
    "query a number": b'{"query": 7}',
    "query a list": b'{"query": ["{ __typename }"]}',
    "variables a list": b'{"query": "{ __typename }", "variables": [1]}',
    "variables a string": b'{"query": "{ __typename }", "variables": "{}"}',
    "extensions a string": b'{"query": "{ __typename }", "extensions": "x"}',
    "no query": b'{"variables": {}}',
}

QUERY_STRINGS = {
    "variables not JSON": "query=" + quote("{ __typename }") + "&variables=%7Bnope",
    "variables an array": "query=" + quote("{ __typename }") + "&variables=%5B1%5D",
    "variables nested deep": "query=" + quote("{ __typename }") + "&variables=" + "%5B" * 2000,
    "extensions not JSON": "query=" + quote("{ __typename }") + "&extensions=%7B",
    "surrogate bytes in the query": "query=%7B%20__typename%20%ED%A0%80%20%7D",
    "invalid UTF-8 in operationName": "query=" + quote("{ __typename }") + "&operationName=%FF",
    "unknown operationName": "query=" + quote("{ __typename }") + "&operationName=" + "x" * 500,
}


def _assert_quiet(caplog: pytest.LogCaptureFixture, lines: int) -> None:
    """`lines` log lines (at INFO or above), none with a traceback, besides the request's one
    access line (whmcs_bridge.access, written for every request whatever its outcome)."""
    logged = [r for r in caplog.records if r.levelno >= logging.INFO and r.name != "httpx"]
    access = [r for r in logged if r.name == "whmcs_bridge.access"]
    assert len(access) == 1, [r.getMessage() for r in access]
    records = [r for r in logged if r.name != "whmcs_bridge.access"]
    assert len(records) == lines, [r.getMessage() for r in records]
    for record in records:
        assert record.exc_info is None, record.getMessage()
        assert "Traceback" not in record.getMessage()


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("token", [False, True], ids=["anonymous", "token"])
async def test_a_malformed_body_is_a_400_and_one_log_line(
    api: Api, caplog: pytest.LogCaptureFixture, body: bytes, token: bool
) -> None:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {api.token}"
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = await api.http.post("/graphql", content=body, headers=headers)

    assert 400 <= response.status_code < 500, response.text
    answer = response.json()
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] in ("BAD_REQUEST", "PAYLOAD_TOO_LARGE")
    assert "Traceback" not in response.text
    _assert_quiet(caplog, lines=1 if response.status_code == 400 else 0)


@pytest.mark.parametrize("query_string", QUERY_STRINGS.values(), ids=QUERY_STRINGS.keys())
async def test_a_malformed_get_is_a_4xx_or_a_graphql_error(
    api: Api, caplog: pytest.LogCaptureFixture, query_string: str
) -> None:
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = await api.http.get(
            "/graphql?" + query_string, headers={"Authorization": f"Bearer {api.token}"}
        )

    assert response.status_code in (200, 400), response.text
    answer = response.json()
    assert answer["errors"], answer  # refused, or a GraphQL error saying what is wrong
    assert "Traceback" not in response.text
    _assert_quiet(caplog, lines=1 if response.status_code == 400 else 0)


@pytest.mark.parametrize(
    "literal",
    [r'"\uD800"', r'"\uDFFF"', r'"\uD83D x"', r'"\u{D800}"'],
    ids=["high", "low", "unpaired", "braced"],
)
async def test_a_lone_surrogate_in_a_graphql_string_is_a_syntax_error(
    api: Api, literal: str
) -> None:
    body = await api.raw(f"{{ clients(search: {literal}) {{ total }} }}")

    assert body["data"] is None
    assert body["errors"][0]["message"].startswith("Syntax Error: Invalid Unicode escape")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("malformed")) as running:
        yield running


def test_the_real_server_answers_each_with_a_4xx_and_logs_no_traceback(server: Server) -> None:
    json = [("Content-Type", "application/json")]
    answers = {
        name: raw_request(server.port, "POST", "/graphql", json, body)
        for name, body in BODIES.items()
    }
    answers |= {
        name: raw_request(server.port, "GET", "/graphql?" + qs)
        for name, qs in QUERY_STRINGS.items()
    }
    # The same with a token: past the gate, into the GraphQL layer's parsing.
    token = server.cli("tokens", "create", "malformed", "--scope", "read")
    auth = [*json, ("Authorization", f"Bearer {token}")]
    with_token = {
        name: raw_request(server.port, "POST", "/graphql", auth, body)
        for name, body in BODIES.items()
    }
    healthy = raw_request(server.port, "GET", "/healthz")

    for name, answer in {**answers, **{f"{k} (token)": v for k, v in with_token.items()}}.items():
        assert 400 <= answer.status < 500, (name, answer)
        assert answer.json()["errors"], name
    assert healthy.status == 200
    log = server.log_text()
    assert "Traceback" not in log
    assert "Exception in ASGI application" not in log
    refusals = [line for line in log.splitlines() if "Refused a GraphQL request" in line]
    parsed = [a for a in with_token.values() if a.status == 400]  # past the gate, then refused
    assert len(parsed) >= len(BODIES) - 1  # all but the one over the body limit (413)
    assert len(refusals) == len(parsed) + sum(a.status == 400 for a in answers.values())
