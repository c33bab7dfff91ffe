"""``whmcs.clients`` and ``whmcs.details()``: what is sent, and what comes back."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.whmcs.client import WhmcsClient
from integrations.whmcs.errors import (
    WhmcsCommandNotFoundError,
    WhmcsDuplicateEmailError,
    WhmcsNotFoundError,
    WhmcsProtocolError,
)
from integrations.whmcs.records import WhmcsClientPage, WhmcsDetails
from integrations.whmcs.redact import REDACTED
from tests.integrations.whmcs.conftest import Observed
from tests.support.fake_whmcs import IDENTIFIER, SECRET, FakeWhmcs
from tests.support.whmcs_bodies import (
    add_client_success,
    client_row,
    clients_details_8x,
    error,
    get_clients,
    whmcs_details,
)

AUTH = {"responsetype": "json", "identifier": IDENTIFIER, "secret": SECRET}
NEW_CLIENT = {
    "firstname": "Bob",
    "lastname": "Builder",
    "email": "bob@example.com",
    "companyname": None,
    "address1": "1 Road",
    "city": "Town",
    "state": "State",
    "postcode": "12345",
    "country": "GB",
    "phonenumber": "0123456789",
}


# --- search ---------------------------------------------------------------------------------


async def test_search_sends_paging_and_filters(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply(
        "GetClients",
        get_clients(
            [client_row(3, "a@example.com"), client_row(4, "b@example.com")], total=12, start=10
        ),
    )

    page = await whmcs.clients.search(search="ex", offset=10, limit=2, status="Active")

    assert fake_whmcs.calls == [
        {
            "action": "GetClients",
            **AUTH,
            "limitstart": "10",
            "limitnum": "2",
            "search": "ex",
            "status": "Active",
        }
    ]
    assert page.total == 12
    assert page.offset == 10
    assert [(r.id, r.email) for r in page.items] == [(3, "a@example.com"), (4, "b@example.com")]
    assert page.items[0].created_on == date(2016, 1, 15)


async def test_search_defaults_send_no_filters(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply("GetClients", get_clients([]))

    page = await whmcs.clients.search()

    assert fake_whmcs.calls == [
        {"action": "GetClients", **AUTH, "limitstart": "0", "limitnum": "25"}
    ]
    assert page == WhmcsClientPage(items=(), total=0, offset=0)


@pytest.mark.parametrize(
    "clients",
    ["", None, {}, [], {"client": []}],
    ids=["empty-string", "missing", "empty-object", "empty-array", "empty-wrapper"],
)
async def test_search_with_no_matches_in_any_shape(
    clients: object, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    body: dict[str, object] = {
        "result": "success",
        "totalresults": "0",
        "startnumber": 0,
        "numreturned": 0,
        "clients": clients,
    }
    if clients is None:
        del body["clients"]
    fake_whmcs.reply("GetClients", body)

    page = await whmcs.clients.search()

    assert page.items == ()
    assert page.total == 0


async def test_search_with_a_single_object_and_string_counts(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    row = client_row(9, "one@example.com")
    row["id"] = "9"
    fake_whmcs.reply(
        "GetClients",
        {"result": "success", "totalresults": "1", "startnumber": "0", "clients": {"client": row}},
    )

    page = await whmcs.clients.search()

    assert page.total == 1
    assert [r.id for r in page.items] == [9]


@pytest.mark.parametrize(
    "body",
    [
        {"result": "success", "clients": ""},  # no totalresults
        {"result": "success", "totalresults": 1, "clients": {"client": [{"email": "x@y"}]}},
        {"result": "success", "totalresults": 1, "clients": "garbage"},
    ],
)
async def test_search_malformed_answer_is_a_protocol_error(
    body: dict[str, object], whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("GetClients", body)

    with pytest.raises(WhmcsProtocolError) as info:
        await whmcs.clients.search()

    assert info.value.action == "GetClients"
    assert info.value.outcome_unknown is False
    assert "unexpected shape" in str(info.value)


@pytest.mark.parametrize(("offset", "limit"), [(-1, 25), (0, 0)])
async def test_search_rejects_bad_paging(
    offset: int, limit: int, whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        await whmcs.clients.search(offset=offset, limit=limit)

    assert fake_whmcs.calls == []


# --- get ------------------------------------------------------------------------------------


async def test_get_sends_clientid_and_reads_details(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("GetClientsDetails", clients_details_8x(5, "five@example.com"))

    record = await whmcs.clients.get(5)

    assert fake_whmcs.calls == [{"action": "GetClientsDetails", **AUTH, "clientid": "5"}]
    assert record.id == 5
    assert record.email == "five@example.com"
    assert record.city == "Test"


async def test_get_unknown_client(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply("GetClientsDetails", error("Client Not Found"))

    with pytest.raises(WhmcsNotFoundError) as info:
        await whmcs.clients.get(404)

    assert info.value.action == "GetClientsDetails"


# --- find_by_email --------------------------------------------------------------------------


async def test_find_by_email_filters_the_prefix_matches_exactly(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply(
        "GetClients",
        get_clients(
            [
                client_row(1, "bob@example.com.au"),
                client_row(2, "BOB@Example.com"),
                client_row(3, "bob@example.community"),
            ]
        ),
    )

    record = await whmcs.clients.find_by_email(" Bob@example.COM ")

    assert record is not None
    assert record.id == 2
    assert fake_whmcs.actions == ["GetClients"]  # the list row is enough: no details call
    assert fake_whmcs.calls[0]["search"] == "Bob@example.COM"
    assert fake_whmcs.calls[0]["limitstart"] == "0"


async def test_find_by_email_only_prefix_matches_gives_none(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("GetClients", get_clients([client_row(1, "bob@example.com.au")]))

    assert await whmcs.clients.find_by_email("bob@example.com") is None


async def test_find_by_email_without_matches(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply("GetClients", get_clients([]))

    assert await whmcs.clients.find_by_email("nobody@example.com") is None
    assert len(fake_whmcs.calls) == 1


async def test_find_by_email_pages_through_all_matches(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    first = [client_row(i, f"bob@example.com.{i}") for i in range(1, 101)]
    second = [client_row(i, f"bob@example.com.{i}") for i in range(101, 150)]
    second.append(client_row(150, "bob@example.com"))
    fake_whmcs.reply("GetClients", get_clients(first, total=150, start=0))
    fake_whmcs.reply("GetClients", get_clients(second, total=150, start=100))

    record = await whmcs.clients.find_by_email("bob@example.com")

    assert record is not None
    assert record.id == 150
    assert [c["limitstart"] for c in fake_whmcs.calls] == ["0", "100"]
    assert {c["limitnum"] for c in fake_whmcs.calls} == {"100"}
    fake_whmcs.assert_all_used()


async def test_find_by_email_stops_on_an_empty_page(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    rows = [client_row(1, "bob@example.com.au")]
    fake_whmcs.reply("GetClients", get_clients(rows, total=500))  # totalresults lies
    fake_whmcs.reply("GetClients", get_clients([], total=500, start=1))

    assert await whmcs.clients.find_by_email("bob@example.com") is None
    assert [c["limitstart"] for c in fake_whmcs.calls] == ["0", "1"]


async def test_find_by_email_with_duplicates_returns_the_lowest_id(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply(
        "GetClients",
        get_clients([client_row(8, "dup@example.com"), client_row(3, "Dup@example.com")]),
    )

    record = await whmcs.clients.find_by_email("dup@example.com")

    assert record is not None
    assert record.id == 3


async def test_find_by_email_rejects_an_empty_address(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    with pytest.raises(ValueError, match="email"):
        await whmcs.clients.find_by_email("  ")

    assert fake_whmcs.calls == []


# --- add ------------------------------------------------------------------------------------


async def test_add_sends_the_fields_and_returns_the_new_id(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs, observed: Observed
) -> None:
    fake_whmcs.reply("AddClient", add_client_success(42))

    client_id = await whmcs.clients.add(NEW_CLIENT, password2="Pa55-word!")

    assert client_id == 42
    assert fake_whmcs.calls == [
        {
            "action": "AddClient",
            **AUTH,
            "firstname": "Bob",
            "lastname": "Builder",
            "email": "bob@example.com",
            "address1": "1 Road",
            "city": "Town",
            "state": "State",
            "postcode": "12345",
            "country": "GB",
            "phonenumber": "0123456789",
            "password2": "Pa55-word!",
            "noemail": "1",
            "skipvalidation": "0",
        }
    ]
    assert "companyname" not in fake_whmcs.calls[0]  # None is left out on create
    assert observed.records[0].params["password2"] == REDACTED
    assert "Pa55-word!" not in repr(observed.records)


async def test_add_can_send_the_welcome_email_and_skip_validation(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("AddClient", {"result": "success", "clientid": 7})

    assert (
        await whmcs.clients.add(
            {"email": "x@example.com"}, password2="pw", noemail=False, skipvalidation=True
        )
        == 7
    )

    assert fake_whmcs.calls[0]["noemail"] == "0"
    assert fake_whmcs.calls[0]["skipvalidation"] == "1"


async def test_add_duplicate_email(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply("AddClient", error("A client already exists with that email address"))

    with pytest.raises(WhmcsDuplicateEmailError) as info:
        await whmcs.clients.add(NEW_CLIENT, password2="pw")

    assert info.value.outcome_unknown is False  # WHMCS said no: nothing was created


@pytest.mark.parametrize("body", [{"result": "success"}, {"result": "success", "clientid": ""}])
async def test_add_success_without_a_client_id_has_an_unknown_outcome(
    body: dict[str, object], whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("AddClient", body)

    with pytest.raises(WhmcsProtocolError) as info:
        await whmcs.clients.add(NEW_CLIENT, password2="pw")

    assert info.value.outcome_unknown is True
    assert "clientid" in str(info.value)


async def test_add_rejects_unknown_fields(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    with pytest.raises(ValueError, match="emial"):
        await whmcs.clients.add({"emial": "x@example.com"}, password2="pw")

    assert fake_whmcs.calls == []


# --- update ---------------------------------------------------------------------------------


async def test_update_sends_only_the_given_fields_and_clears_none(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("UpdateClient", {"result": "success", "clientid": "9"})

    await whmcs.clients.update(9, {"city": "Leeds", "companyname": None})

    assert fake_whmcs.calls == [
        {"action": "UpdateClient", **AUTH, "clientid": "9", "city": "Leeds", "companyname": ""}
    ]


async def test_update_with_nothing_to_change_sends_nothing(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    await whmcs.clients.update(9, {})

    assert fake_whmcs.calls == []


async def test_update_rejects_unknown_fields(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    with pytest.raises(ValueError, match="clientid"):
        await whmcs.clients.update(9, {"clientid": "10"})

    assert fake_whmcs.calls == []


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Client ID Not Found", WhmcsNotFoundError),
        ("Duplicate Email Address", WhmcsDuplicateEmailError),
    ],
)
async def test_update_failures(
    message: str, expected: type[Exception], whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("UpdateClient", error(message))

    with pytest.raises(expected):
        await whmcs.clients.update(9, {"email": "taken@example.com"})


# --- details --------------------------------------------------------------------------------


async def test_details(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply("WhmcsDetails", whmcs_details("8.13.1"))

    assert await whmcs.details() == WhmcsDetails("8.13.1", "8.13.1-release.1")
    assert fake_whmcs.calls == [{"action": "WhmcsDetails", **AUTH}]


async def test_details_on_whmcs_7(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply("WhmcsDetails", error("Command Not Found"))

    with pytest.raises(WhmcsCommandNotFoundError):
        await whmcs.details()


async def test_details_malformed(whmcs: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply("WhmcsDetails", {"result": "success", "whmcs": "8.0"})

    with pytest.raises(WhmcsProtocolError):
        await whmcs.details()
