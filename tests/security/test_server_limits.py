"""What one client may hold of the real server: header size and time, body time, connections.

`whmcs-bridge serve` with small limits (HTTP_* variables), attacked over raw sockets: headers
too large (431), a connection that sends nothing or trickles its headers (408, closed), a body
that never completes (408), more connections than HTTP_LIMIT_CONCURRENCY (503), and documents
whose validation used to block the server for seconds. /healthz must answer throughout.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.security.conftest import Server, raw_request, read_response, running_server
from tests.security.test_document_cost import doubling

LIMITS = {
    "HTTP_MAX_HEADER_BYTES": "4096",
    "HTTP_HEADER_TIMEOUT": "1",
    "HTTP_BODY_TIMEOUT": "1",
    "HTTP_KEEP_ALIVE_TIMEOUT": "1",
    "HTTP_LIMIT_CONCURRENCY": "20",
    "GRAPHQL_MAX_TOKENS": "100000",  # so the cost pass, not the token limit, meets the attacks
    "DEMO_ALLOW_ANONYMOUS": "true",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("limits"), **LIMITS) as running:
        yield running


def _healthy(server: Server) -> None:
    assert raw_request(server.port, "GET", "/healthz", timeout=5).status == 200


def _closed_within(sock: socket.socket, seconds: float) -> bytes:
    """What the server sent before closing `sock`; fails if it stays open past `seconds`."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the connection was still open after {seconds} s; got {received!r}")
    except ConnectionResetError:
        pass
    return received


@pytest.mark.parametrize(
    "headers",
    [
        [("X-Pad", "a" * 5_000)],
        [(f"X-Pad-{n}", "b" * 60) for n in range(100)],
        [("Cookie", "c=" + "d" * 20_000)],
        [("X-Pad", "e" * 2_000_000)],
    ],
    ids=["one-large", "many-small", "cookie", "two-megabytes"],
)
def test_headers_over_the_limit_are_refused(server: Server, headers: list[tuple[str, str]]) -> None:
    try:
        answer = raw_request(server.port, "GET", "/healthz", headers)
    except (ConnectionResetError, BrokenPipeError):
        answer = None  # closed while the rest was still being sent: refused all the same
    if answer is not None:
        assert answer.status == 431
    _healthy(server)


def test_a_long_request_line_is_refused(server: Server) -> None:
    answer = raw_request(server.port, "GET", "/graphql?query=" + "x" * 10_000)

    assert answer.status == 431


def test_headers_trickled_past_the_limit_are_refused(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ")
        try:
            for _ in range(50):
                sock.sendall(b"f" * 200)
        except (ConnectionResetError, BrokenPipeError):
            pass
        received = _closed_within(sock, 10)

    assert received.startswith(b"HTTP/1.1 431")


@pytest.mark.parametrize("sent", [b"", b"GET /healthz HTTP/1.1\r\n", b"G"], ids=repr)
def test_a_connection_that_does_not_finish_its_headers_is_closed(
    server: Server, sent: bytes
) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(sent)
        received = _closed_within(sock, 10)

    assert received.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started >= 0.9  # the timeout, not an immediate refusal
    _healthy(server)


def test_a_slowloris_trickle_is_closed_at_the_header_timeout(server: Server) -> None:
    """One byte every 0.3 s keeps no connection open past HTTP_HEADER_TIMEOUT (1 s)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        try:
            for byte in b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"s" * 100:
                sock.sendall(bytes([byte]))
                time.sleep(0.3)
                if time.monotonic() - started > 10:
                    pytest.fail("the trickle kept the connection open for 10 s")
        except (ConnectionResetError, BrokenPipeError):
            pass
        received = _closed_within(sock, 10)

    assert received.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < 10


def test_a_body_that_never_completes_gets_408(server: Server) -> None:
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + b'{"query": "')
        answer = read_response(sock)

    assert answer.status == 408
    assert answer.json()["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"


def test_an_idle_keep_alive_connection_is_closed(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = read_response(sock)
        assert first.status == 200
        received = _closed_within(sock, 10)  # HTTP_KEEP_ALIVE_TIMEOUT is 1 s

    assert received == b""


def test_connections_past_the_concurrency_limit_get_503(server: Server) -> None:
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
    try:
        answer = raw_request(server.port, "GET", "/healthz")
    finally:
        for sock in idle:
            sock.close()

    assert answer.status == 503
    deadline = time.monotonic() + 10  # the idle ones are gone: served again
    while raw_request(server.port, "GET", "/healthz").status != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_the_server_answers_healthz_while_attack_documents_are_refused(server: Server) -> None:
    """Before, a 30-level doubling document took most of an hour of CPU, a 20-level one 3 s
    (and /healthz waited for it). Each is now refused before validation."""
    attacks = [
        doubling(30).encode(),
        ("{ " + "stats { totalSynced } " * 300 + "}").encode(),
        ("{ stats { " + "totalSynced " * 600 + "} }").encode(),
    ]
    json = [("Content-Type", "application/json")]
    stop = threading.Event()
    refused: list[int] = []

    def attack() -> None:
        while not stop.is_set():
            for document in attacks:
                body = b'{"query": "' + document.replace(b"\n", b" ") + b'"}'
                answer = raw_request(server.port, "POST", "/graphql", json, body, timeout=30)
                assert answer.status == 200
                assert answer.json()["errors"], answer
                refused.append(1)

    with ThreadPoolExecutor(max_workers=3) as pool:
        attackers = [pool.submit(attack) for _ in range(3)]
        try:
            latencies = []
            for _ in range(30):
                started = time.monotonic()
                _healthy(server)
                latencies.append(time.monotonic() - started)
        finally:
            stop.set()
        for attacker in attackers:
            attacker.result(timeout=60)

    assert len(refused) >= 3
    # A generous bound on a shared machine; the old code held /healthz for seconds per document.
    assert max(latencies) < 2.0, latencies
