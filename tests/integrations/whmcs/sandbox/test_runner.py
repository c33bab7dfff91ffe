"""Starting and stopping: in-process and as a blocking process for the CLI."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import aiohttp
import pytest

from integrations.whmcs.sandbox import SandboxConfig, SandboxState, create_app, start_sandbox

from .conftest import CREDENTIALS


async def test_urls_and_config(http: aiohttp.ClientSession) -> None:
    config = SandboxConfig(identifier="id-1", secret="s-1", seed=False)

    async with await start_sandbox(config) as sandbox:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sandbox.url)
        assert sandbox.api_url == f"{sandbox.url}/includes/api.php"
        assert sandbox.config is config
        form = {
            "identifier": "id-1",
            "secret": "s-1",
            "action": "GetClients",
            "responsetype": "json",
        }
        async with http.post(sandbox.api_url, data=form) as resp:
            body = await resp.json()

    assert (body["totalresults"], body["clients"]) == (0, "")  # seed=False


async def test_stop_closes_the_port(http: aiohttp.ClientSession) -> None:
    sandbox = await start_sandbox()
    await sandbox.stop()

    with pytest.raises(aiohttp.ClientConnectionError):
        await http.post(sandbox.api_url, data={"action": "WhmcsDetails"})


async def test_two_sandboxes_are_independent() -> None:
    async with await start_sandbox() as one, await start_sandbox() as two:
        one.state.update_client(2, firstname="Robert")

        assert one.url != two.url
        assert two.state.clients[2].firstname == "Bob"


async def test_clients_created_without_seed_start_at_one() -> None:
    state = SandboxState(seed=False)

    client = state.add_client(firstname="A", lastname="B", email="a@b.example")

    assert (client.id, client.owner_user_id) == (1, 1)
    assert state.clients[1].datecreated != "0000-00-00"


def test_create_app_accepts_an_existing_state() -> None:
    state = SandboxState(seed=False)

    app = create_app(SandboxConfig(), state=state, control=True)

    paths = {r.resource.canonical for r in app.router.routes() if r.resource is not None}
    assert paths == {"/includes/api.php", "/_sandbox/control"}


def test_update_client_rejects_unknown_fields() -> None:
    state = SandboxState()

    with pytest.raises(TypeError, match="pasword"):
        state.update_client(2, pasword="x")
    with pytest.raises(KeyError):
        state.update_client(999, city="x")
    with pytest.raises(TypeError, match="colour"):
        state.add_client(firstname="A", lastname="B", email="a@b.example", colour="red")
    assert state.user_by_email("a@b.example") is None  # nothing half-created


async def test_serve_forever_logs_and_stops_on_sigterm(http: aiohttp.ClientSession) -> None:
    code = "from integrations.whmcs.sandbox import serve_forever; serve_forever(0)"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stderr=asyncio.subprocess.PIPE
    )
    assert proc.stderr is not None
    try:
        lines: list[str] = []
        api_url = None
        while api_url is None:
            line = (await asyncio.wait_for(proc.stderr.readline(), timeout=10)).decode()
            assert line, "sandbox exited before listening: " + "".join(lines)
            lines.append(line)
            found = re.search(r"listening on (\S+)", line)
            api_url = found.group(1) if found else None
        credentials_line = (await asyncio.wait_for(proc.stderr.readline(), timeout=5)).decode()
        form = {**CREDENTIALS, "action": "WhmcsDetails", "responsetype": "json"}
        async with http.post(api_url, data=form) as resp:
            body = await resp.json()
    finally:
        proc.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(proc.stderr.read(), timeout=10)
        returncode = await asyncio.wait_for(proc.wait(), timeout=10)

    assert api_url.endswith("/includes/api.php")
    assert "identifier=sandbox-identifier secret=sandbox-secret" in credentials_line
    assert body["whmcs"]["version"] == "8.13.3"
    assert returncode == 0
    assert b"Traceback" not in rest
