"""The sandbox's data file: a restart keeps WHMCS's records; nothing else leaks into it."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest

from integrations.whmcs.sandbox import (
    Fault,
    SandboxState,
    StateFile,
    StateFileError,
    start_sandbox,
)
from integrations.whmcs.sandbox.records import UserRecord

from .conftest import CREDENTIALS, Api, client_form


async def _restart(path: Path, http: aiohttp.ClientSession) -> Api:
    running = await start_sandbox(data_file=path)
    return Api(http, running)


async def test_a_restart_keeps_clients_users_and_the_next_ids(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    path = tmp_path / "sandbox.json"
    first = await _restart(path, http)
    added = await first.ok("AddClient", **client_form())
    await first.ok("UpdateClient", clientid="2", city="Chicago", latefeeoveride="1")
    await first.ok("DeleteClient", clientid="6", deleteusers="1")
    before = await first.ok("GetClientsDetails", clientid=added["clientid"])
    await first.sandbox.stop()

    second = await _restart(path, http)
    try:
        after = await second.ok("GetClientsDetails", clientid=added["clientid"])
        bob = (await second.ok("GetClientsDetails", clientid="2"))["client"]
        gone = await second.fails("GetClientsDetails", clientid="6")
        next_one = await second.ok("AddClient", **client_form(email="next@example.net"))
        duplicate = await second.fails("AddClient", **client_form())
    finally:
        await second.sandbox.stop()

    assert after == before  # the same record, every key, users included
    assert (bob["city"], bob["latefeeoveride"]) == ("Chicago", True)
    assert gone == "Client Not Found"
    assert second.sandbox.state.user_by_email("sophie.martin@example.fr") is None
    assert (next_one["clientid"], next_one["owner_id"]) == ("14", 16)  # ids go on, never reused
    assert duplicate == "A client already exists with that email address"
    assert second.sandbox.state.users[15].check_password("Correct-Horse-9")


async def test_a_first_start_writes_the_seeded_data(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "sandbox.json"

    async with await start_sandbox(data_file=path) as running:
        clients = len(running.state.clients)

    restored = SandboxState(seed=False)
    assert StateFile(path).load_into(restored) is True
    assert len(restored.clients) == clients == 12
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # owner only: it holds password hashes


async def test_the_journal_faults_and_latency_are_not_kept(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    path = tmp_path / "sandbox.json"
    first = await _restart(path, http)
    first.sandbox.state.faults.push(Fault("maintenance", action="GetClients"))
    first.sandbox.state.latency_ms = 500
    await first.ok("UpdateClient", clientid="2", city="Chicago")  # a write: saved
    await first.sandbox.stop()

    raw = path.read_text(encoding="utf-8")
    second = await _restart(path, http)
    try:
        listing = await second.call("GetClients")
    finally:
        await second.sandbox.stop()

    assert listing.status == 200  # the queued maintenance fault did not survive
    assert second.sandbox.state.latency_ms == 0
    assert second.sandbox.state.calls == [{"action": "GetClients", "responsetype": "json"}]
    assert "sandbox-secret" not in raw
    assert CREDENTIALS["identifier"] not in raw
    assert "calls" not in json.loads(raw)["state"]


async def test_control_operations_are_saved(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    path = tmp_path / "sandbox.json"
    running = await start_sandbox(data_file=path, control=True)
    try:
        assert running.control_url is not None
        async with http.post(
            running.control_url,
            json={"op": "update_client", "clientid": 3, "fields": {"email": "p@acme.example"}},
        ) as reply:
            assert reply.status == 200
    finally:
        await running.stop()

    restored = SandboxState(seed=False)
    StateFile(path).load_into(restored)
    assert restored.clients[3].email == "p@acme.example"


async def test_a_read_writes_nothing(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    path = tmp_path / "sandbox.json"
    api = await _restart(path, http)
    written = path.stat().st_mtime_ns
    os.utime(path, ns=(written - 10**9, written - 10**9))
    try:
        await api.ok("GetClients")
        await api.ok("GetClientsDetails", clientid="1")
    finally:
        await api.sandbox.stop()

    assert path.stat().st_mtime_ns == written - 10**9


def test_a_new_kind_of_record_is_kept_without_touching_the_codec(tmp_path: Path) -> None:
    # A new collection (another helper's services, invoices...) is only a new attribute.
    state = SandboxState()
    state.extra_logins = {  # type: ignore[attr-defined]
        7: UserRecord(7, "Kim", "Lee", "kim@example.org", "pbkdf2_sha256$1$00$00")
    }
    state.extra_counter = 8  # type: ignore[attr-defined]
    StateFile(tmp_path / "s.json").save(state)

    class Newer(SandboxState):
        def __init__(self) -> None:
            super().__init__(seed=False)
            self.extra_logins: dict[int, UserRecord] = {}
            self.extra_counter = 1

    restored = Newer()
    StateFile(tmp_path / "s.json").load_into(restored)

    assert restored.extra_logins[7].email == "kim@example.org"
    assert isinstance(next(iter(restored.extra_logins)), int)  # int keys stay ints
    assert restored.extra_counter == 8
    assert restored.clients[2].email == "bob@example.com"


def test_a_field_added_to_a_record_takes_its_default(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    StateFile(path).save(SandboxState())
    document = json.loads(path.read_text(encoding="utf-8"))
    clients = document["state"]["clients"]["items"]
    for _, client in clients:
        del client["fields"]["email_verified"]  # as written before the field existed
        client["fields"]["removed_since"] = "x"  # and a field that no longer exists
    path.write_text(json.dumps(document), encoding="utf-8")

    restored = SandboxState(seed=False)
    StateFile(path).load_into(restored)

    assert restored.clients[2].email_verified is False
    assert restored.clients[2].email == "bob@example.com"


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"format": 99, "state": {}}',
        '{"format": 1}',
        '{"format": 1, "state": {"clients": []}}',  # a list where a map was
        '{"format": 1, "state": {"x": {"~": "record", "type": "os:system", "fields": {}}}}',
        '{"format": 1, "state": {"x": {"~": "record", "type": '
        '"integrations.whmcs.sandbox.state:SandboxState", "fields": {}}}}',
        '{"format": 1, "state": {"x": {"~": "nonsense"}}}',
    ],
)
def test_an_unreadable_file_is_one_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(content, encoding="utf-8")
    state = SandboxState()

    with pytest.raises(StateFileError, match="is not a readable sandbox data file") as caught:
        StateFile(path).load_into(state)

    assert str(path) in str(caught.value)
    assert len(state.clients) == 12  # left as it was


def test_a_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.json"
    StateFile(path).save(SandboxState())
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", crash)
    changed = SandboxState()
    changed.update_client(2, city="Elsewhere")
    with pytest.raises(OSError, match="No space"):
        StateFile(path).save(changed)

    assert path.read_bytes() == before  # the old file, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]  # no temporary left


async def test_a_failed_save_is_logged_and_the_answer_still_goes_out(
    tmp_path: Path, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "data"
    api = await _restart(folder / "s.json", http)
    try:
        (folder / "s.json").unlink()
        folder.rmdir()
        folder.write_text("now a file, not a folder", encoding="utf-8")
        body = await api.ok("UpdateClient", clientid="2", city="Chicago")
    finally:
        await api.sandbox.stop()

    assert body["clientid"] == "2"
    assert "Sandbox data NOT saved" in caplog.text


async def test_concurrent_commits_write_the_newest_state_once_each_round(tmp_path: Path) -> None:
    store = StateFile(tmp_path / "s.json")
    state = SandboxState()
    writes: list[bytes] = []
    real_write = store._write

    def counting(payload: bytes) -> None:
        writes.append(payload)
        real_write(payload)

    store._write = counting  # type: ignore[method-assign]

    async def change(n: int) -> None:
        state.update_client(2, city=f"City {n}")
        await store.commit(state)

    await asyncio.gather(*(change(n) for n in range(20)))

    restored = SandboxState(seed=False)
    store.load_into(restored)
    assert restored.clients[2].city == "City 19"  # the last change is on disk
    assert len(writes) == 2  # the first change alone, then one write for the 19 that queued


def test_the_module_records_are_kept_with_their_exact_types(tmp_path: Path) -> None:
    # Services, invoices (with lines and payments), orders, tickets, domains: held by
    # state.modules, which knows its state; kept without a line of persistence code of theirs.
    state = SandboxState()
    modules = state.modules
    assert all((modules.invoices, modules.services, modules.tickets))  # the seed has them
    modules.admin_departments = {1, 3}
    invoice = next(iter(modules.invoices.values()))
    StateFile(tmp_path / "s.json").save(state)

    restored = SandboxState(seed=False)
    StateFile(tmp_path / "s.json").load_into(restored)

    for kind in ("services", "invoices", "orders", "tickets", "domains"):
        assert getattr(restored.modules, kind) == getattr(modules, kind), kind
    assert restored.modules.admin_departments == {1, 3}
    assert restored.modules._next == modules._next
    assert restored.modules._state is restored  # still its own state's
    again = restored.modules.invoices[invoice.id]
    assert again.items == invoice.items
    assert {type(item.amount) for item in again.items} == {Decimal}
