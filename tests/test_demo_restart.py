"""The demo survives a restart (issue 11, item 3), with the real `whmcs-bridge serve` process.

A restart is a restart: the sandbox's data is kept beside the database, so a pushed client's
link still points at the same WHMCS record; the demo token stays the same (in a 0600 file); a
second start on a taken port (or on the same data folder) fails in one line and changes nothing
for the running server; `whmcs-bridge demo reset` starts both over, together.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.graph.documents import COMPLETE_CLIENT, CREATE_LOCAL, PUSH
from tests.support.cli import Served, one_line, run, serve

WHMCS_CLIENT = (
    "query($id: ID!) { whmcsClient(id: $id) { __typename ... on WhmcsClient { email } } }"
)
SYNC_STATUS = (
    "query($id: ID!) { syncStatus(localId: $id) { __typename "
    "... on SyncState { whmcsId status } } }"
)
DATA = Path("data")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    assert run(["migrate"], {}, tmp_path).returncode == 0
    return tmp_path


def _push_a_client(server: Served) -> tuple[str, str]:
    created = server.as_demo(CREATE_LOCAL, {"input": COMPLETE_CLIENT}).body
    local_id = created["data"]["createLocalClient"]["id"]
    pushed = server.as_demo(PUSH, {"id": local_id}).body["data"]["pushClient"]
    assert pushed["__typename"] == "PushClientSuccess", pushed
    return local_id, pushed["whmcsId"]


def test_a_restart_keeps_the_sandbox_the_links_and_the_token(folder: Path) -> None:
    with serve({}, folder) as first:
        local_id, whmcs_id = _push_a_client(first)
        first_token = first.token
        first.stop()

    token_file = folder / DATA / "whmcs-bridge.demo-token"
    with serve({}, folder) as second:
        record = second.as_demo(WHMCS_CLIENT, {"id": whmcs_id}).body["data"]["whmcsClient"]
        link = second.as_demo(SYNC_STATUS, {"id": local_id}).body["data"]["syncStatus"]
        again = second.as_demo(
            CREATE_LOCAL, {"input": {**COMPLETE_CLIENT, "email": "second@example.org"}}
        ).body["data"]["createLocalClient"]
        pushed_again = second.as_demo(PUSH, {"id": again["id"]}).body["data"]["pushClient"]
        second.stop()

    assert second.token == first_token
    assert token_file.read_text(encoding="utf-8").strip() == first_token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert record == {"__typename": "WhmcsClient", "email": COMPLETE_CLIENT["email"]}
    assert (link["whmcsId"], link["status"]) == (whmcs_id, "SYNCED")
    # The sandbox's ids went on from where they were: no id handed out twice.
    assert pushed_again["__typename"] == "PushClientSuccess", pushed_again
    assert int(pushed_again["whmcsId"]) == int(whmcs_id) + 1
    data_file = folder / DATA / "whmcs-bridge.sandbox.json"
    assert stat.S_IMODE(data_file.stat().st_mode) == 0o600
    assert COMPLETE_CLIENT["email"] in data_file.read_text(encoding="utf-8")


def test_the_banner_shows_the_address_really_served(folder: Path) -> None:
    with serve({}, folder) as server:
        port = int(server.url.rsplit(":", 1)[1])
        banner = server.stdout
        healthy = server.graphql("{ stats { totalSynced } }")  # anonymous: loopback demo
        server.stop()

    assert port > 0  # `--port 0` asked for any port; the banner names the one bound
    assert f"open http://127.0.0.1:{port}/graphql" in banner
    assert "accepted too (loopback only" in banner
    assert healthy.status == 200


def test_a_second_start_on_the_taken_port_fails_and_changes_nothing(folder: Path) -> None:
    with serve({}, folder) as first:
        port = first.url.rsplit(":", 1)[1]
        token_file = folder / DATA / "whmcs-bridge.demo-token"
        token_before = token_file.read_bytes()
        data_before = (folder / DATA / "whmcs-bridge.sandbox.json").read_bytes()

        second = run(["serve", "--port", port], {}, folder)
        still = first.as_demo("{ stats { totalSynced } }")
        first.stop()

    assert second.returncode == 2
    line = one_line(second.stderr)
    assert f"port {port} on 127.0.0.1 is already in use" in line
    assert second.stdout == ""  # no banner, no token printed
    assert still.status == 200
    assert token_file.read_bytes() == token_before
    assert (folder / DATA / "whmcs-bridge.sandbox.json").read_bytes() == data_before


def test_a_second_demo_on_the_same_data_folder_is_refused(folder: Path) -> None:
    with serve({}, folder) as first:
        other_port = run(["serve", "--port", "0"], {}, folder)
        reset_while_running = run(["demo", "reset", "--yes"], {}, folder)
        still = first.as_demo("{ stats { totalSynced } }")
        first.stop()

    assert other_port.returncode == 2
    assert "demo server (pid " in one_line(other_port.stderr)
    assert "stop it before starting another" in other_port.stderr
    assert reset_while_running.returncode == 2
    assert "stop it before resetting it" in one_line(reset_while_running.stderr)
    assert still.status == 200
    assert (folder / DATA / "whmcs-bridge.sqlite3").exists()


def test_demo_reset_starts_both_over_together_and_keeps_the_token(folder: Path) -> None:
    with serve({}, folder) as first:
        _, whmcs_id = _push_a_client(first)
        token = first.token
        first.stop()

    refused = run(["demo", "reset"], {}, folder)  # no terminal to ask on, no --yes
    reset = run(["demo", "reset", "--yes"], {}, folder)
    with serve({}, folder) as second:
        local = second.as_demo("{ clients { total } }").body["data"]["clients"]
        record = second.as_demo(WHMCS_CLIENT, {"id": whmcs_id}).body["data"]["whmcsClient"]
        second.stop()

    assert refused.returncode == 2
    assert "confirm with --yes" in one_line(refused.stderr)
    assert reset.returncode == 0, reset.stderr
    assert "Demo reset: removed" in reset.stdout
    assert second.token == token
    assert local == {"total": 0}
    assert record["__typename"] == "NotFoundError"  # the sandbox is back to its 12 clients


def test_demo_reset_refuses_outside_the_demo(folder: Path) -> None:
    real = {
        "WHMCS_API_URL": "https://billing.example.com",
        "WHMCS_API_IDENTIFIER": "ident",
        "WHMCS_API_SECRET": "secret-value",
    }
    server_db = {"DATABASE_URL": "postgres://postgres@127.0.0.1:1/whmcs_bridge"}

    with_whmcs = run(["demo", "reset", "--yes"], real, folder)
    with_server_db = run(["demo", "reset", "--yes"], server_db, folder)

    assert with_whmcs.returncode == 2
    assert "WHMCS_API_URL is set: nothing was deleted" in one_line(with_whmcs.stderr)
    assert with_server_db.returncode == 2
    assert "SQLite demo database only" in one_line(with_server_db.stderr)
    assert (folder / DATA / "whmcs-bridge.sqlite3").exists()


def test_an_unreadable_sandbox_file_stops_start_up_in_one_line(folder: Path) -> None:
    (folder / DATA / "whmcs-bridge.sandbox.json").write_text("{truncated", encoding="utf-8")

    result = run(["serve", "--port", "0"], {}, folder)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "whmcs-bridge.sandbox.json is not a readable sandbox data file" in line
    assert "whmcs-bridge demo reset" in line


def test_a_loose_token_file_is_made_owner_only(folder: Path) -> None:
    token_file = folder / DATA / "whmcs-bridge.demo-token"
    token_file.write_text("wbt_" + "A" * 43 + "\n", encoding="utf-8")
    token_file.chmod(0o644)

    with serve({}, folder) as server:
        server.stop()

    assert server.token == "wbt_" + "A" * 43
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


def test_the_files_beside_the_database_are_owner_only_and_the_data_plain_json(folder: Path) -> None:
    with serve({}, folder) as server:
        server.stop()

    document = json.loads((folder / DATA / "whmcs-bridge.sandbox.json").read_text("utf-8"))
    files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (folder / DATA).iterdir()}

    assert document["format"] == 1
    assert {"clients", "users", "sent_emails", "modules"} <= set(document["state"])
    # Everything beside the database is its owner's only: data, token, lock, the database.
    assert {"whmcs-bridge.demo.lock", "whmcs-bridge.demo-token"} <= set(files)
    assert {name: mode for name, mode in files.items() if mode & 0o077} == {}
