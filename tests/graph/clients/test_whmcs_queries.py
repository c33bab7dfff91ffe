"""whmcsClients and whmcsClient end to end: paging, WHMCS's prefix search, errors, the cache."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.whmcs.sandbox import Fault
from tests.conftest import Api
from tests.graph.conftest import CreateClient
from tests.graph.documents import (
    LINK,
    PULL,
    PUSH,
    UPDATE,
    UPDATE_LOCAL,
    WHMCS_CLIENT,
    WHMCS_CLIENTS,
)


async def _page(api: Api, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await api.gql(WHMCS_CLIENTS, variables))["whmcsClients"]
    return result


async def _one(api: Api, whmcs_id: int | str) -> dict[str, Any]:
    result: dict[str, Any] = (await api.gql(WHMCS_CLIENT, {"id": str(whmcs_id)}))["whmcsClient"]
    return result


def _list_calls(api: Api) -> list[dict[str, str]]:
    """GetClients calls of the list (not the e-mail checks a push makes)."""
    return [c for c in api.sandbox.state.calls_for("GetClients") if "search" not in c]


# --- whmcsClients --------------------------------------------------------------------------


async def test_a_page_of_whmcs_clients(api: Api) -> None:
    page = await _page(api, offset=5, limit=5)

    assert page["__typename"] == "WhmcsClientPage"
    assert (page["total"], page["offset"], page["limit"]) == (12, 5, 5)
    assert [c["id"] for c in page["items"]] == ["6", "7", "8", "9", "10"]
    sophie = page["items"][0]
    assert (sophie["firstName"], sophie["email"], sophie["status"]) == (
        "Sophie",
        "sophie.martin@example.fr",
        "Closed",
    )
    assert (sophie["createdOn"], sophie["companyName"], sophie["localClient"]) == (
        "2020-11-11",
        None,
        None,
    )
    (call,) = api.sandbox.state.calls_for("GetClients")
    assert (call["limitstart"], call["limitnum"]) == ("5", "5")


async def test_default_page_and_the_legacy_client(api: Api) -> None:
    page = await _page(api)

    assert (page["total"], page["offset"], page["limit"], len(page["items"])) == (12, 0, 25, 12)
    assert page["items"][0]["createdOn"] is None  # datecreated 0000-00-00
    assert page["items"][2]["companyName"] == "Acme Widgets Ltd"


async def test_search_is_whmcs_prefix_search(api: Api) -> None:
    page = await _page(api, search=" bob@example.com ")

    assert page["total"] == 2
    assert [c["email"] for c in page["items"]] == ["bob@example.com", "bob@example.com.au"]
    assert api.sandbox.state.calls_for("GetClients")[0]["search"] == "bob@example.com"
    by_name = await _page(api, search="Tana")
    assert [c["lastName"] for c in by_name["items"]] == ["Tanaka"]


async def test_no_match_is_an_empty_page(api: Api) -> None:
    page = await _page(api, search="nobody-by-this-name")

    assert page == {
        "__typename": "WhmcsClientPage",
        "total": 0,
        "offset": 0,
        "limit": 25,
        "items": [],
    }


async def test_linked_whmcs_clients_show_their_local_client(
    api: Api, create_client: CreateClient
) -> None:
    client_id = await create_client()
    await api.gql(LINK, {"id": client_id, "whmcsId": "2"})

    page = await _page(api, limit=3)

    assert [c["localClient"] for c in page["items"]] == [
        None,
        {"id": client_id, "email": "ana.ruiz@example.org"},
        None,
    ]


async def test_whmcs_failure_of_the_list_is_a_typed_error(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("auth_failed"))

    page = await _page(api)

    assert (page["__typename"], page["code"], page["retryable"]) == (
        "WhmcsError",
        "WHMCS_AUTH_FAILED",
        False,
    )
    assert page["whmcsMessage"] == "Authentication Failed"
    assert page["hint"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"limit": 0}, "limit must be between 1 and 100, got 0."),
        ({"limit": 101}, "limit must be between 1 and 100, got 101."),
        ({"offset": -1}, "offset must be 0 or more, got -1."),
    ],
)
async def test_page_bounds_are_bad_user_input(
    api: Api, variables: dict[str, int], message: str
) -> None:
    body = await api.raw(WHMCS_CLIENTS, variables)

    assert body["data"] is None
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert api.sandbox.state.calls == []


async def test_the_same_page_is_served_from_the_cache_until_a_write(
    api: Api, create_client: CreateClient
) -> None:
    first = await _page(api)
    second = await _page(api)
    assert first == second
    assert len(_list_calls(api)) == 1

    other_page = await _page(api, limit=2)
    assert len(other_page["items"]) == 2
    assert len(_list_calls(api)) == 2  # another page is another entry

    client_id = await create_client()
    pushed = (await api.gql(PUSH, {"id": client_id}))["pushClient"]
    third = await _page(api)

    assert len(_list_calls(api)) == 3  # the write made the cached page stale
    assert third["total"] == 13
    assert third["items"][-1]["id"] == pushed["whmcsId"]


# --- whmcsClient ---------------------------------------------------------------------------


async def test_one_whmcs_client_with_every_field(api: Api) -> None:
    result = await _one(api, 3)

    assert result == {
        "__typename": "WhmcsClient",
        "id": "3",
        "firstName": "Priya",
        "lastName": "Natarajan",
        "email": "priya@acme-widgets.example",
        "companyName": "Acme Widgets Ltd",
        "status": "Active",
        "createdOn": "2019-08-02",
        "phoneNumber": "0113 496 0721",
        "address1": "Unit 4, Riverside Park",
        "address2": None,
        "city": "Leeds",
        "state": "West Yorkshire",
        "postcode": "LS1 4AP",
        "country": "GB",
        "localClient": None,
    }
    assert [c["action"] for c in api.sandbox.state.calls] == ["GetClientsDetails"]


async def test_unknown_whmcs_client_is_not_found(api: Api) -> None:
    for whmcs_id in ("999", "abc"):
        result = await _one(api, whmcs_id)
        assert (result["__typename"], result["code"], result["side"], result["id"]) == (
            "NotFoundError",
            "NOT_FOUND",
            "WHMCS",
            whmcs_id,
        )
    assert len(api.sandbox.state.calls) == 1  # "abc" cannot be an id: WHMCS is not asked


async def test_whmcs_failure_of_one_client_is_a_typed_error(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("waf_403", action="GetClientsDetails"))

    result = await _one(api, 3)

    # A 403 page that is not WHMCS JSON: something in front of WHMCS, not its credentials.
    assert (result["__typename"], result["code"]) == ("WhmcsError", "WHMCS_UNAVAILABLE")
    assert result["whmcsMessage"] is None
    assert (await _one(api, 3))["__typename"] == "WhmcsClient"  # the failure was not cached


async def test_second_read_is_served_from_the_cache(api: Api) -> None:
    first = await _one(api, 3)
    second = await _one(api, 3)

    assert first == second
    assert len(api.sandbox.state.calls_for("GetClientsDetails")) == 1


async def test_read_after_update_client_is_not_stale(api: Api) -> None:
    pulled = (await api.gql(PULL, {"whmcsId": "2"}))["pullClient"]
    client_id = pulled["client"]["id"]
    assert (await _one(api, 2))["city"] == "Springfield"  # now cached
    await api.gql(UPDATE_LOCAL, {"id": client_id, "input": {"city": "Chicago"}})

    updated = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]
    after = await _one(api, 2)

    assert updated["changedFields"] == ["city"]
    assert after["city"] == "Chicago"
    assert after["localClient"] == {"id": client_id}
    page = await _page(api, search="bob@example.com")
    assert page["items"][0]["localClient"] == {"id": client_id, "email": "bob@example.com"}
