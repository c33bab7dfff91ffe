"""The demo cannot leak into production (issue 10, item 5), tried as an attacker would.

- WHMCS credentials without WHMCS_API_URL (unset, empty, misspelled) stop start-up: never the
  sandbox with anonymous writes against a real database.
- Anonymous access only while bound to loopback: the settings (HOST / `serve --host`) and each
  request's own arrival address (for `uvicorn --factory`, which never tells the settings).
- The demo's token is refused, and does not count as "a token exists", once a real WHMCS is
  configured on the same database; the standalone sandbox given by WHMCS_API_URL counts as real.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

import models
from tests.conftest import running_app
from tests.support.cli import cli_env, free_port, one_line, post_graphql, run, serve
from whmcs_bridge.app import create_app
from whmcs_bridge.settings import Settings, SettingsError
from whmcs_bridge.tokens import (
    DEMO_NAME,
    TokenError,
    TokenVerifier,
    create_token,
    digest,
    install_demo_token,
    new_token,
    serving_tokens_exist,
)

STATS = "{ stats { totalSynced } }"
CREDENTIALS = {
    "WHMCS_API_IDENTIFIER": "IDENT-leak-1111",
    "WHMCS_API_SECRET": "SECRET-leak-2222",
    "WHMCS_API_ACCESS_KEY": "KEY-leak-3333",
}


# --- credentials without a URL ---------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        ["WHMCS_API_IDENTIFIER"],
        ["WHMCS_API_SECRET"],
        ["WHMCS_API_ACCESS_KEY"],
        ["WHMCS_API_IDENTIFIER", "WHMCS_API_SECRET"],
        list(CREDENTIALS),
    ],
)
@pytest.mark.parametrize("url", [None, "", "   "])
def test_credentials_without_the_url_stop_start_up(given: list[str], url: str | None) -> None:
    env = {name: CREDENTIALS[name] for name in given}
    if url is not None:
        env["WHMCS_API_URL"] = url

    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env, env_file=None)

    message = str(caught.value)
    assert message.startswith("WHMCS_API_URL is not set")
    assert all(name in message for name in given)
    assert all(value not in message for value in CREDENTIALS.values())


def test_a_misspelled_url_in_the_env_file_stops_start_up_too(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "WHMCS_API_ULR=https://billing.example.com\n"  # the typo
        "WHMCS_API_IDENTIFIER=IDENT-leak-1111\nWHMCS_API_SECRET=SECRET-leak-2222\n",
        encoding="utf-8",
    )

    with pytest.raises(SettingsError, match="WHMCS_API_URL is not set"):
        Settings.from_env({}, env_file=env_file)


def test_empty_credentials_are_the_demo() -> None:
    # .env.example leaves them empty: that is "nothing configured", the sandbox.
    env = {"WHMCS_API_URL": "", "WHMCS_API_IDENTIFIER": "", "WHMCS_API_SECRET": " "}

    assert Settings.from_env(env, env_file=None).whmcs.use_sandbox is True


@pytest.mark.parametrize("command", ["serve", "check", "migrate"])
def test_the_cli_refuses_credentials_without_the_url_in_one_line(
    tmp_path: Path, command: str
) -> None:
    result = run([command], {"WHMCS_API_SECRET": "SECRET-leak-2222"}, tmp_path)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith("whmcs-bridge: configuration error: WHMCS_API_URL is not set")
    assert "SECRET-leak-2222" not in result.stderr + result.stdout
    assert not (tmp_path / "data").exists()  # nothing started, nothing written


# --- anonymous access only on loopback -------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("10.0.0.1", False),
        ("bridge.example.com", False),
        ("127.0.0.1.nip.io", False),
    ],
)
def test_anonymous_access_needs_a_loopback_host(host: str, allowed: bool) -> None:
    from_env = Settings.from_env({"HOST": host}, env_file=None)
    from_cli = dataclasses.replace(Settings.from_env({}, env_file=None), host=host)  # --host

    assert (from_env.anonymous_allowed, from_cli.anonymous_allowed) == (allowed, allowed)


def test_an_empty_serve_host_is_not_loopback() -> None:
    # `serve --host ""` binds every interface.
    settings = dataclasses.replace(Settings.from_env({}, env_file=None), host="")

    assert settings.anonymous_allowed is False


def test_anonymous_access_needs_the_sandbox_and_the_switch() -> None:
    real = Settings.from_env(
        {"WHMCS_API_URL": "https://b.example.com", **CREDENTIALS}, env_file=None
    )
    switched_off = Settings.from_env({"DEMO_ALLOW_ANONYMOUS": "false"}, env_file=None)

    assert (real.anonymous_allowed, switched_off.anonymous_allowed) == (False, False)


@pytest.mark.parametrize(
    ("arrived_on", "status"),
    [
        ("http://127.0.0.1", 200),
        ("http://[::1]", 200),
        ("http://192.0.2.10", 401),  # the demo bound to 0.0.0.0 by `uvicorn --factory`
        ("http://bridge.example.com", 401),
    ],
)
async def test_each_request_must_arrive_on_loopback_to_be_anonymous(
    db: str, arrived_on: str, status: int
) -> None:
    app = create_app(Settings.from_env({}, env_file=None), manage_database=False)
    # The scope's "server" is the URL's host; the Host header stays a loopback name, so only
    # the arrival address differs.
    headers = {"Host": "127.0.0.1"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url=arrived_on, headers=headers
        ) as http:
            anonymous = await http.post("/graphql", json={"query": STATS})
            as_get = await http.get("/graphql", params={"query": STATS})

    assert anonymous.status_code == status
    assert as_get.status_code == status


def test_serve_on_all_interfaces_refuses_anonymous_requests(tmp_path: Path) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0

    with serve({}, tmp_path, "--host", "0.0.0.0") as server:
        # Reached over loopback, but the server listens beyond it: the token is needed.
        local = server.url.replace("0.0.0.0", "127.0.0.1")
        anonymous = post_graphql(local, STATS)
        with_token = post_graphql(local, STATS, Authorization=f"Bearer {server.token}")
        banner = server.stdout
        server.stop()

    assert server.url.startswith("http://0.0.0.0:")
    assert "not loopback: requests WITHOUT the token are refused" in banner
    assert "accepted too" not in banner
    assert anonymous.status == 401
    assert anonymous.body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert with_token.status == 200


# --- the demo token against a real WHMCS -----------------------------------------------------


async def test_the_demo_token_is_refused_when_whmcs_is_real(db: str) -> None:
    token = new_token()
    await install_demo_token(token)

    assert await TokenVerifier(accept_demo=True).verify(token) is not None
    assert await TokenVerifier(accept_demo=False).verify(token) is None
    assert await TokenVerifier().verify(token) is None  # refusing is the default


async def test_the_demo_token_does_not_count_as_a_token(db: str) -> None:
    await install_demo_token(new_token())

    assert await serving_tokens_exist() is False
    await create_token("billing-app", models.TokenScope.READ)
    assert await serving_tokens_exist() is True


async def test_a_metrics_token_alone_lets_nobody_in_either(db: str) -> None:
    await install_demo_token(new_token())
    await create_token("prometheus", models.TokenScope.METRICS)

    assert await serving_tokens_exist() is False


async def test_installing_the_demo_token_replaces_the_old_one(db: str) -> None:
    first, second = new_token(), new_token()
    await install_demo_token(first)
    await install_demo_token(first)  # the same again: nothing changes
    row = await models.ApiToken.get(name=DEMO_NAME)
    await install_demo_token(second)

    verifier = TokenVerifier(accept_demo=True)
    assert await verifier.verify(first) is None
    assert await verifier.verify(second) is not None
    assert await models.ApiToken.filter(name=DEMO_NAME).count() == 1
    assert row.scope is models.TokenScope.WRITE


async def test_nobody_else_may_take_the_demo_name(db: str) -> None:
    with pytest.raises(TokenError, match="reserved"):
        await create_token(DEMO_NAME, models.TokenScope.WRITE)


@pytest.mark.parametrize(
    "settings_env",
    [{"WHMCS_API_URL": "http://127.0.0.1:9", **CREDENTIALS}],
    indirect=True,
)
async def test_an_old_demo_row_is_refused_in_process(db: str, settings_env: dict[str, str]) -> None:
    # A database a demo ran on before this rule (the same row name) opens nothing either.
    old = new_token()
    await models.ApiToken.create(name=DEMO_NAME, digest=digest(old), scope=models.TokenScope.WRITE)
    async with running_app(settings_env) as api:
        refused = await api.http.post(
            "/graphql", json={"query": STATS}, headers={"Authorization": f"Bearer {old}"}
        )
        by_get = await api.http.get(
            "/graphql", params={"query": STATS}, headers={"Authorization": f"Bearer {old}"}
        )
        anonymous = await api.http.post("/graphql", json={"query": STATS})
        real = await api.http.post(
            "/graphql", json={"query": STATS}, headers={"Authorization": f"Bearer {api.token}"}
        )

    assert (refused.status_code, by_get.status_code, anonymous.status_code) == (401, 401, 401)
    assert real.status_code == 200


@contextmanager
def standalone_sandbox(cwd: Path) -> Iterator[str]:
    """`whmcs-bridge sandbox` on its own port: to the bridge, a real WHMCS at a URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "whmcs_bridge.cli", "sandbox", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env({}),
        cwd=cwd,
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:  # its start-up log says when it listens
            if "listening on" in line:
                break
        else:
            raise AssertionError("the sandbox did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_demo_token_then_a_real_whmcs_on_the_same_database(tmp_path: Path) -> None:
    """Make the demo token, then serve a 'real' WHMCS (the standalone sandbox given by
    WHMCS_API_URL) from the same data folder: start-up refuses while only the demo token
    exists, and once a real token exists the demo token gets 401 on every path."""
    assert run(["migrate"], {}, tmp_path).returncode == 0
    with serve({}, tmp_path) as demo:
        assert demo.as_demo(STATS).status == 200
        demo_token = demo.token
        demo.stop()
    assert demo_token is not None

    with standalone_sandbox(tmp_path) as whmcs_url:
        real = {
            "WHMCS_API_URL": whmcs_url,
            "WHMCS_API_IDENTIFIER": "sandbox-identifier",
            "WHMCS_API_SECRET": "sandbox-secret",
        }
        refused = run(["serve", "--port", str(free_port())], real, tmp_path)
        created = run(["tokens", "create", "billing-app", "--scope", "write"], real, tmp_path)
        listed = run(["tokens", "list"], real, tmp_path)
        with serve(real, tmp_path, port=free_port()) as server:
            bearer = {"Authorization": f"Bearer {demo_token}"}
            demo_post = server.graphql(STATS, **bearer)
            demo_mutation = server.graphql(
                'mutation { deleteLocalClient(id: "1") { __typename } }', **bearer
            )
            anonymous = server.graphql(STATS)
            real_token = server.graphql(STATS, Authorization=f"Bearer {created.stdout.strip()}")
            server.stop()

    assert refused.returncode == 2
    assert "no API token exists" in one_line(refused.stderr)
    assert created.returncode == 0
    assert "demo\twrite\t" in listed.stdout
    assert "(sandbox demo only)" in listed.stdout
    assert (demo_post.status, demo_mutation.status, anonymous.status) == (401, 401, 401)
    assert real_token.status == 200
    assert demo_token not in server.stderr  # refused without echoing it
    assert "Refused the sandbox demo's token" in server.stderr


def test_the_cli_refuses_a_token_named_demo(tmp_path: Path) -> None:
    assert run(["migrate"], {}, tmp_path).returncode == 0

    result = run(["tokens", "create", "demo", "--scope", "write"], {}, tmp_path)

    assert result.returncode == 1
    assert "reserved" in one_line(result.stderr)
    assert result.stdout == ""
