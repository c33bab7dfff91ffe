"""Schemathesis, GraphQL mode, against the real server: every query and mutation, generated.

The server runs as a subprocess (`whmcs-bridge migrate`, `tokens create`, `serve`) in a temporary
folder, on the WHMCS sandbox, on SQLite and also on PostgreSQL and MariaDB when
TEST_DATABASE_URLS names them. The schema is loaded from the server by introspection. Every
request carries a write token. For each operation a bounded number of generated documents is
sent; an answer fails the test when:

- its status is not 200 (a 5xx above all), or it is not JSON;
- it contains a Python traceback or an exception's name;
- it carries an error that is neither a GraphQL validation error (no path) nor an argument
  error of the API (`extensions.code` BAD_USER_INPUT). The masked "Internal server error. Quote
  request id ..." is such an error: it means a bug, and the failure names the operation, the
  document and the answer.

FUZZ_GRAPHQL_EXAMPLES sets the documents per operation (default 40: about 700 requests per
engine, well under a minute).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import graphql
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case

from tests.conftest import _database_params, _prepare

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("FUZZ_GRAPHQL_EXAMPLES", "40"))
MASKED = re.compile(r"^Internal server error\. Quote request id [0-9a-f-]{36} to the operator\.$")
# What an unmasked Python failure leaves in an answer.
PYTHON_LEAKS = re.compile(
    r"Traceback \(most recent call last\)|File \"/|\b(?:Key|Type|Value|Attribute|Index|Name|"
    r"ZeroDivision|Overflow|Assertion|Runtime|Integrity|Operational|Lookup|Unicode\w*)Error\b|"
    r"\bStopIteration\b|tortoise\.|asyncpg\.|sqlite3\.|aiohttp\."
)
# Documents that were internal errors once, on every engine or on PostgreSQL only (NUL), with
# the __typename each must now get (None: a top-level field without one). The fixes are in
# graph/inputs.py, graph/reports/queries.py and integrations/whmcs/sync/validation.py.
KNOWN_CRASHERS: dict[str, tuple[str, str | None]] = {
    "linkClient, clientId ²": (
        'mutation { linkClient(clientId: "²", whmcsId: "1") { __typename } }',
        "NotFoundError",
    ),
    "syncStatus, localId ²": (
        'query { syncStatus(localId: "²") { __typename } }',
        "NotFoundError",
    ),
    "syncLogs, localId ²": ('query { syncLogs(filter: {localId: "²"}) { total } }', None),
    "syncLogs, whmcsId past the column": (
        'query { syncLogs(filter: {whmcsId: "99999999999999999999999"}) { total } }',
        None,
    ),
    "syncLogs, days past a date": (
        "query { syncLogs(filter: {days: 2000000000}) { total } }",
        None,  # BAD_USER_INPUT
    ),
    "syncLogs, correlationId longer than the column": (
        'query { syncLogs(filter: {correlationId: "%s"}) { total } }' % ("x" * 37),
        None,
    ),
    "syncLogs, correlationId with NUL": (
        'query { syncLogs(filter: {correlationId: "a\\u0000"}) { total } }',
        None,
    ),
    "clients, search with NUL": ('query { clients(search: "a\\u0000") { total } }', None),
    "createLocalClient, NUL in a name": (
        'mutation { createLocalClient(input: {firstName: "A\\u0000", lastName: "B", '
        'email: "nul@example.org"}) { __typename } }',
        "ValidationError",
    ),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    token: str
    process: subprocess.Popen[str]
    log: Path

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "whmcs_bridge.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"whmcs-bridge {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="module", params=_database_params())
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("schemathesis")
    url = _prepare(request.param)
    if url.startswith("sqlite"):
        url = f"sqlite://{folder / 'bridge.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WHMCS_", "DATABASE_URL"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=url,
        API_RATE_LIMIT_PER_MINUTE="0",
        DEMO_ALLOW_ANONYMOUS="false",  # the token is what lets the requests in
        WHMCS_API_TIMEOUT="5",
        LOG_LEVEL="WARNING",
    )
    _cli(env, folder, "migrate")
    token = _cli(env, folder, "tokens", "create", f"fuzz-{os.getpid()}", "--scope", "write")
    port = _free_port()
    log = folder / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "whmcs_bridge.cli", "serve", "--port", str(port)],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            text=True,
        )
    running = Server(f"http://127.0.0.1:{port}", token.strip(), process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if requests.get(running.url + "/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the server did not come up in 30 s"
            time.sleep(0.1)
        yield running
    finally:
        process.terminate()
        process.wait(timeout=20)


@dataclass
class Verdicts:
    """What one operation's answers amounted to."""

    sent: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def count(self, kind: str) -> None:
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1


class Answer(Protocol):
    """What judge reads of an answer (requests' and schemathesis' responses both have it)."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    def json(self) -> Any: ...


def judge(response: Answer) -> tuple[str, str | None]:
    """(kind of answer, problem or None)."""
    text = response.text
    if response.status_code != 200:
        return f"HTTP {response.status_code}", f"HTTP {response.status_code}: {text[:500]}"
    if PYTHON_LEAKS.search(text):
        return "leak", f"a Python failure shows in the answer: {text[:500]}"
    try:
        body = response.json()
    except ValueError:
        return "not JSON", f"not JSON: {text[:500]}"
    errors = body.get("errors") or []
    if not errors:
        return "data", None
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        message = str(error.get("message", ""))
        if code == "INTERNAL_SERVER_ERROR" or MASKED.match(message):
            return "internal error", f"internal server error: {json.dumps(error)}"
        if "path" not in error and code is None:
            continue  # validation: the document broke a rule of the schema or a limit
        if code == "BAD_USER_INPUT":
            continue  # an argument out of the API's bounds
        return f"error {code}", f"unexpected error: {json.dumps(error)}"
    return "client error", None


def _operations(server: Server) -> list[Any]:
    schema = schemathesis.graphql.from_url(
        server.url + "/graphql", headers=server.headers, timeout=10
    )
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())
    return operations


def test_schema_has_every_operation(server: Server) -> None:
    contract = graphql.build_schema((ROOT / "schema.graphql").read_text())
    assert contract.query_type is not None
    assert contract.mutation_type is not None
    expected = {f"Query.{name}" for name in contract.query_type.fields} | {
        f"Mutation.{name}" for name in contract.mutation_type.fields
    }

    assert {operation.label for operation in _operations(server)} == expected


def test_known_crashers_are_answered(server: Server) -> None:
    failures = {}
    for name, (document, typename) in KNOWN_CRASHERS.items():
        response = requests.post(
            server.url + "/graphql", json={"query": document}, headers=server.headers, timeout=10
        )
        kind, problem = judge(response)
        if problem:
            failures[name] = problem
            continue
        assert kind in ("data", "client error"), (name, kind)
        if typename is not None:
            (answer,) = response.json()["data"].values()
            assert answer["__typename"] == typename, (name, answer)
    assert not failures, failures


_LIMIT = re.compile(r"\blimit: (-?\d+)")
_OFFSET = re.compile(r"\boffset: (-?\d+)")


def within_page_bounds(document: str) -> str:
    """The document with every `limit` in 1..100 and every `offset` 0 or more."""
    document = _LIMIT.sub(lambda m: f"limit: {abs(int(m[1])) % 100 + 1}", document)
    return _OFFSET.sub(lambda m: f"offset: {abs(int(m[1]))}", document)


def _sender(operation: Any, seen: Verdicts, http: requests.Session, server: Server) -> Any:
    """A Hypothesis test that sends the operation's generated documents and judges the answers."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: every problem is kept
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), in_bounds=st.booleans())
    def send(case: Case[Any], in_bounds: bool) -> None:
        assert isinstance(case.body, str)  # GraphQL: the document
        if in_bounds:  # half the pages within bounds, so what runs after the check is fuzzed too
            case.body = within_page_bounds(case.body)
        response = case.call(
            base_url=server.url + "/graphql", session=http, headers=server.headers, timeout=15
        )
        seen.sent += 1
        kind, problem = judge(response)
        seen.count(kind)
        if problem and len(seen.problems) < 3:
            seen.problems.append(f"{problem}\n  document: {case.body}")

    return send


def test_every_operation_with_generated_documents(server: Server) -> None:
    verdicts: dict[str, Verdicts] = {}
    with requests.Session() as http:
        for operation in _operations(server):
            _sender(operation, verdicts.setdefault(operation.label, Verdicts()), http, server)()

    summary = {label: (v.sent, v.by_kind) for label, v in verdicts.items()}
    sent = sum(v.sent for v in verdicts.values())
    sys.stdout.write(f"\nschemathesis: {sent} documents: {summary}\n")  # shown with -s
    failing = {label: v.problems for label, v in verdicts.items() if v.problems}
    assert not failing, "operations with bad answers:\n" + "\n".join(
        f"{label}:\n  " + "\n  ".join(problems) for label, problems in failing.items()
    )
    # Bounded but not idle: each operation got documents, and some were answered with data.
    assert all(v.sent >= min(EXAMPLES, 10) for v in verdicts.values()), summary
    assert sum(v.by_kind.get("data", 0) for v in verdicts.values()) > len(verdicts), summary
    # Nothing went wrong unseen: a masked error is logged with its traceback.
    assert "Traceback" not in server.log.read_text()
