"""What a browser is told and refused: Host allow-list, CORS, security headers.

A DNS-rebinding page (its own name resolving to 127.0.0.1 once loaded) reaches a local server
under the attacker's Host name: refused, whatever the spelling, on the real server too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Api
from tests.security.conftest import Server, raw_request, running_server
from whmcs_bridge.browser import host_allowed, host_name
from whmcs_bridge.settings import LOOPBACK_HOSTS, Settings, SettingsError

POST = [("Content-Type", "application/json")]
LEAK = b'{"query": "{ leak: clients { total } }"}'

REFUSED_HOSTS = [
    "evil.example",
    "evil.example:8000",
    "localhost.evil.example",
    "127.0.0.1.nip.io",
    "localhost@evil.example",
    "evil.example#localhost",
    "127.0.0.2",
    "0.0.0.0",
    "[::2]:8000",
    "",
]
SERVED_HOSTS = ["localhost", "LOCALHOST:8000", "localhost.", "127.0.0.1:8000", "[::1]:8000"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo, the case a rebinding page would exploit; bound to every interface, so the
    Host names answered are the loopback ones by default (and the demo token is needed)."""
    folder = tmp_path_factory.mktemp("hosts")
    with running_server(folder, DEMO_ALLOW_ANONYMOUS="true", HOST="0.0.0.0") as server:
        yield server


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_a_rebinding_page_cannot_drive_the_demo(demo: Server, host: str) -> None:
    answer = raw_request(demo.port, "POST", "/graphql", [("Host", host), *POST], LEAK)

    assert answer.status == 400
    assert answer.json()["errors"][0]["extensions"]["code"] == "HOST_NOT_ALLOWED"
    assert b'"leak"' not in answer.body
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("host", SERVED_HOSTS)
def test_the_loopback_names_are_served(demo: Server, host: str) -> None:
    token = (demo.folder / "bridge.demo-token").read_text("utf-8").strip()  # beside its database
    bearer = ("Authorization", f"Bearer {token}")  # not on loopback: no anonymous requests

    answer = raw_request(demo.port, "POST", "/graphql", [("Host", host), bearer, *POST], LEAK)

    assert answer.status == 200
    assert answer.json()["data"]["leak"]["total"] == 0


def test_no_host_or_two_hosts_are_refused(demo: Server) -> None:
    two = raw_request(
        demo.port,
        "POST",
        "/graphql",
        [("Host", "localhost"), ("Host", "evil.example"), *POST],
        LEAK,
    )
    with_page = raw_request(
        demo.port, "GET", "/graphql", [("Host", "evil.example"), ("Accept", "text/html")]
    )
    static = raw_request(demo.port, "GET", "/static/graphiql/graphiql.min.js", [("Host", "evil")])

    assert two.status == 400
    assert with_page.status == 400  # not even the page
    assert static.status == 400


def test_health_probes_answer_whatever_the_host(demo: Server) -> None:
    """Orchestrators send the pod's address as Host; these routes carry no client data."""
    for path in ("/healthz", "/readyz"):
        assert raw_request(demo.port, "GET", path, [("Host", "10.1.2.3:8000")]).status == 200


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("LocalHost:8000", "localhost"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("localhost.", "localhost"),
        ("api.example.com:443", "api.example.com"),
        ("::1", "::1"),
        (" localhost ", "localhost"),
    ],
)
def test_host_names(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(
    ("name", "allowed", "expected"),
    [
        ("api.example.com", ("api.example.com",), True),
        ("x.internal.example", ("*.internal.example",), True),
        ("a.b.internal.example", ("*.internal.example",), True),
        ("internal.example", ("*.internal.example",), False),
        ("evilinternal.example", ("*.internal.example",), False),
        ("anything", ("*",), True),
        ("api.example.com.evil", ("api.example.com",), False),
    ],
)
def test_host_patterns(name: str, allowed: tuple[str, ...], expected: bool) -> None:
    assert host_allowed(name, allowed) is expected


@pytest.mark.parametrize(
    ("env", "hosts"),
    [
        ({}, LOOPBACK_HOSTS),
        ({"HOST": "0.0.0.0"}, LOOPBACK_HOSTS),
        ({"HOST": "::"}, LOOPBACK_HOSTS),
        ({"HOST": "10.1.2.3"}, (*LOOPBACK_HOSTS, "10.1.2.3")),
        (
            {"ALLOWED_HOSTS": "API.example.com., *.internal.example"},
            ("api.example.com", "*.internal.example"),
        ),
        ({"ALLOWED_HOSTS": "*", "HOST": "0.0.0.0"}, ("*",)),
    ],
)
def test_allowed_hosts_setting(env: dict[str, str], hosts: tuple[str, ...]) -> None:
    assert Settings.from_env(env, env_file=None).served_hosts == hosts


@pytest.mark.parametrize("value", ["https://api.example.com", "api.example.com/x", "a b"])
def test_allowed_hosts_takes_names_only(value: str) -> None:
    with pytest.raises(SettingsError, match="ALLOWED_HOSTS"):
        Settings.from_env({"ALLOWED_HOSTS": value}, env_file=None)


@pytest.mark.parametrize("settings_env", [{"ALLOWED_HOSTS": "api.example.com"}], indirect=True)
async def test_a_configured_name_replaces_the_defaults(api: Api) -> None:
    loopback = await api.http.post("/graphql", json={"query": "{ __typename }"})
    named = await api.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Host": "api.example.com"}
    )

    assert loopback.status_code == 400
    assert named.status_code == 200


@pytest.mark.parametrize("settings_env", [{"CORS_ORIGINS": "http://localhost:4200"}], indirect=True)
@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://localhost:4200.evil.example", "null", "http://localhost"],
)
async def test_cors_answers_only_the_listed_origin_and_never_allows_credentials(
    api: Api, origin: str
) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    listed = await api.http.options(
        "/graphql", headers={"Origin": "http://localhost:4200", **preflight}
    )
    other = await api.http.options("/graphql", headers={"Origin": origin, **preflight})
    simple = await api.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "http://localhost:4200"}
    )

    assert listed.headers["access-control-allow-origin"] == "http://localhost:4200"
    assert simple.headers["access-control-allow-origin"] == "http://localhost:4200"
    for answer in (listed, other, simple):
        assert "access-control-allow-credentials" not in answer.headers
    assert "access-control-allow-origin" not in other.headers


async def test_every_answer_carries_the_security_headers(api: Api) -> None:
    answers = {
        "graphql": await api.http.post("/graphql", json={"query": "{ __typename }"}),
        "refused": await api.http.post(
            "/graphql", json={"query": "{}"}, headers={"Authorization": "Bearer wbt_x"}
        ),
        "health": await api.http.get("/healthz"),
        "missing": await api.http.get("/nothing-here"),
        "page": await api.http.get("/graphql", headers={"Accept": "text/html"}),
    }

    for name, answer in answers.items():
        assert answer.headers["x-content-type-options"] == "nosniff", name
        assert answer.headers["x-frame-options"] == "DENY", name
        assert answer.headers["referrer-policy"] == "no-referrer", name
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], name
    for name in ("graphql", "refused", "health", "missing"):
        assert answers[name].headers["content-security-policy"].startswith("default-src 'none'")
    for name in ("graphql", "refused", "page"):
        assert answers[name].headers["cache-control"] == "no-store", name  # personal data
    page_policy = answers["page"].headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in page_policy
    assert "unsafe" not in page_policy
