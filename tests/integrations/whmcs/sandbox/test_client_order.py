"""GetClients keeps its sorted clients between calls: every change to the clients is seen."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from integrations.whmcs.sandbox import SandboxConfig, SandboxState
from integrations.whmcs.sandbox.actions import get_clients
from integrations.whmcs.sandbox.records import ClientRecord

QUERIES = [
    {"limitnum": "5"},
    {"limitnum": "3", "limitstart": "2", "sorting": "DESC"},
    {"orderby": "lastname", "limitnum": "4"},
    {"status": "Closed"},
    {"search": "bob"},
]


def ids(state: SandboxState, params: dict[str, str]) -> object:
    return get_clients(state, SandboxConfig(), params)


def change_email(state: SandboxState) -> None:
    first = next(iter(state.clients.values()))
    first.email = "aaa-bob@example.com"  # set directly, as a test plays "someone edited WHMCS"


def rename(state: SandboxState) -> None:
    state.update_client(2, lastname="Aardvark", status="Closed")


def add(state: SandboxState) -> None:
    state.add_client(firstname="Bob", lastname="Zed", email="bob.new@example.com")


def delete(state: SandboxState) -> None:
    state.delete_client(1)


def replace(state: SandboxState) -> None:
    old = state.clients[3]
    state.clients[3] = ClientRecord(
        id=3, uuid=old.uuid, owner_user_id=old.owner_user_id, firstname="A", lastname="A",
        email="a@example.com", status="Closed",
    )  # fmt: skip


def swap_dict(state: SandboxState) -> None:
    state.clients = {k: c for k, c in state.clients.items() if k != 2}  # as `restore` swaps it


@pytest.mark.parametrize("change", [change_email, rename, add, delete, replace, swap_dict])
def test_an_answer_after_a_change_is_the_one_computed_afresh(
    change: Callable[[SandboxState], None],
) -> None:
    state = SandboxState()
    before = [ids(state, p) for p in QUERIES]  # sorted and kept now
    fresh = SandboxState()  # the same data, never asked: its answers are computed afresh
    change(state)
    change(fresh)

    after = [ids(state, p) for p in QUERIES]

    assert after == [ids(fresh, p) for p in QUERIES]
    assert after != before


def test_the_same_query_again_reuses_the_order_and_renders_current_values() -> None:
    state = SandboxState()
    first = ids(state, {"limitnum": "2"})
    state.clients[1].firstname = "Renamed"  # the page shows it: rows render from the records

    again = ids(state, {"limitnum": "2"})

    assert first != again
    assert again["clients"]["client"][0]["firstname"] == "Renamed"  # type: ignore[index]
