"""AddClient, UpdateClient and DeleteClient: shapes, 8.x user semantics, messages."""

from __future__ import annotations

import pytest

from .conftest import Api, client_form


async def test_add_client_answers_string_clientid_and_int_owner_id(api: Api) -> None:
    body = await api.ok("AddClient", **client_form())

    assert body == {"result": "success", "clientid": "13", "owner_id": 15}


async def test_add_client_creates_the_client_and_its_owner_user(api: Api) -> None:
    await api.ok("AddClient", **client_form(companyname="Engines Ltd", groupid="2"))

    details = (await api.ok("GetClientsDetails", email="ada@example.net"))["client"]
    assert (details["id"], details["owner_user_id"], details["companyname"]) == (
        13,
        15,
        "Engines Ltd",
    )
    assert details["groupid"] == 2
    assert details["status"] == "Active"
    assert details["users"]["user"] == [
        {"id": 15, "name": "Ada Lovelace", "email": "ada@example.net", "is_owner": True}
    ]
    user = api.sandbox.state.users[15]
    assert user.check_password("Correct-Horse-9")
    assert "Correct-Horse-9" not in user.password_hash


async def test_add_client_ids_continue_after_deletions(api: Api) -> None:
    await api.ok("DeleteClient", clientid="12")

    body = await api.ok("AddClient", **client_form())

    assert body["clientid"] == "13"


async def test_add_client_with_owner_user_id_creates_no_user(api: Api) -> None:
    users_before = len(api.sandbox.state.users)

    body = await api.ok(
        "AddClient",
        **client_form(owner_user_id="14", password2=None, email="olivia.billing@example.org"),
    )

    assert body["owner_id"] == 14
    assert len(api.sandbox.state.users) == users_before
    details = await api.ok("GetClientsDetails", clientid=body["clientid"])
    assert details["client"]["users"]["user"][0]["email"] == "olivia@example.org"


async def test_add_client_sends_a_welcome_email_unless_noemail(api: Api) -> None:
    await api.ok("AddClient", **client_form())
    await api.ok("AddClient", **client_form(email="quiet@example.net", noemail="true"))

    sent = api.sandbox.state.sent_emails
    assert [(e.template, e.client_id, e.to) for e in sent] == [
        ("Client Signup Email", 13, "ada@example.net")
    ]


async def test_noemail_follows_php_truthiness(api: Api) -> None:
    # PHP casts the string "false" to true: the e-mail is suppressed.
    await api.ok("AddClient", **client_form(noemail="false"))
    await api.ok("AddClient", **client_form(email="loud@example.net", noemail="0"))

    assert [e.to for e in api.sandbox.state.sent_emails] == ["loud@example.net"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"firstname": None}, "You did not enter your first name"),
        ({"lastname": "  "}, "You did not enter your last name"),
        ({"email": None}, "You did not enter your email address"),
        ({"email": "ada.example.net"}, "The email address you entered was not valid"),
        ({"address1": None}, "You did not enter your  address line 1"),
        ({"city": ""}, "You did not enter your city"),
        ({"state": None}, "You did not enter your state"),
        ({"postcode": None}, "You did not enter your postcode"),
        ({"country": None}, "Valid country required"),
        ({"country": "UK"}, "Valid country required"),
        ({"country": "gb"}, "Valid country required"),
        ({"country": "GBR"}, "Valid country required"),
        ({"phonenumber": None}, "You did not enter your phone number"),
        ({"phonenumber": "call me"}, "Invalid telephone phone number"),
        ({"password2": None}, "You did not enter a password"),
        ({"owner_user_id": "999", "password2": None}, "Invalid Owner User ID"),
        # A client has the e-mail (whatever the case): the client-level duplicate.
        ({"email": "BOB@example.com"}, "A client already exists with that email address"),
        # A login user with the e-mail but no client with it: the user-level one.
        ({"email": "olivia@example.org"}, "A user already exists with that email address"),
        ({"email": "tom@acme-widgets.example"}, "A user already exists with that email address"),
    ],
)
async def test_add_client_validation_messages(
    api: Api, overrides: dict[str, str | None], message: str
) -> None:
    assert await api.fails("AddClient", **client_form(**overrides)) == message
    assert len(api.sandbox.state.clients) == 12


async def test_first_failing_field_wins(api: Api) -> None:
    form = client_form(lastname=None, city=None, country="XX")

    assert await api.fails("AddClient", **form) == "You did not enter your last name"


async def test_a_client_whose_email_changed_leaves_its_login_behind(api: Api) -> None:
    # 8.x: UpdateClient changes the client's e-mail, not its owner user's: the old address is
    # then a user without a client, the new one a client.
    await api.ok("UpdateClient", clientid="2", email="robert@example.com")

    old = await api.fails("AddClient", **client_form(email="bob@example.com"))
    new = await api.fails("AddClient", **client_form(email="robert@example.com"))

    assert old == "A user already exists with that email address"
    assert new == "A client already exists with that email address"


async def test_existing_client_email_under_an_existing_user(api: Api) -> None:
    form = client_form(owner_user_id="14", password2=None, email="bob@example.com")

    assert await api.fails("AddClient", **form) == "A client already exists with that email address"


@pytest.mark.parametrize("flag", ["true", "1"])
async def test_skipvalidation_lifts_address_and_phone(api: Api, flag: str) -> None:
    form = client_form(
        address1=None,
        city=None,
        state=None,
        postcode=None,
        country=None,
        phonenumber=None,
        skipvalidation=flag,
    )

    body = await api.ok("AddClient", **form)

    assert body["clientid"] == "13"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": None}, "You did not enter your email address"),
        ({"email": "nope"}, "The email address you entered was not valid"),
        ({"password2": None}, "You did not enter a password"),
        ({"email": "bob@example.com"}, "A client already exists with that email address"),
        ({"email": "olivia@example.org"}, "A user already exists with that email address"),
    ],
)
async def test_skipvalidation_keeps_email_password_and_duplicates(
    api: Api, overrides: dict[str, str | None], message: str
) -> None:
    form = client_form(skipvalidation="1", address1=None, **overrides)

    assert await api.fails("AddClient", **form) == message


async def test_update_client_changes_only_given_fields(api: Api) -> None:
    body = await api.ok("UpdateClient", clientid="2", city="Chicago", status="inactive")

    assert body == {"result": "success", "clientid": "2"}
    client = (await api.ok("GetClientsDetails", clientid="2"))["client"]
    assert (client["city"], client["status"]) == ("Chicago", "Inactive")
    assert (client["address1"], client["email"]) == ("1600 Elm Street", "bob@example.com")


async def test_update_client_by_clientemail(api: Api) -> None:
    body = await api.ok("UpdateClient", clientemail="BOB@example.com.au", lastname="Jonas")

    assert body["clientid"] == "4"
    assert api.sandbox.state.clients[4].lastname == "Jonas"


async def test_update_client_email_preferences(api: Api) -> None:
    await api.ok("UpdateClient", clientid="2", **{"email_preferences[invoice]": "0"})

    prefs = (await api.ok("GetClientsDetails", clientid="2"))["client"]["email_preferences"]
    assert (prefs["invoice"], prefs["general"]) == ("0", "1")


async def test_update_client_may_keep_its_own_email(api: Api) -> None:
    await api.ok("UpdateClient", clientid="2", email="BOB@example.com")

    assert api.sandbox.state.clients[2].email == "BOB@example.com"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"clientid": "999", "city": "x"}, "Client ID Not Found"),
        ({"clientemail": "ghost@example.com"}, "Client ID Not Found"),
        ({"city": "x"}, "Client ID Not Found"),
        ({"clientid": "2", "email": "BOB@example.com.AU"}, "Duplicate Email Address"),
        ({"clientid": "2", "email": "not-an-email"}, "The email address entered is not valid"),
        ({"clientid": "2", "country": "Germany"}, "Valid country required"),
    ],
)
async def test_update_client_errors(api: Api, params: dict[str, str], message: str) -> None:
    assert await api.fails("UpdateClient", **params) == message
    assert api.sandbox.state.clients[2].email == "bob@example.com"


async def test_delete_client(api: Api) -> None:
    body = await api.ok("DeleteClient", clientid="6")

    assert body == {"result": "success", "clientid": "6"}
    assert await api.fails("GetClientsDetails", clientid="6") == "Client Not Found"
    assert api.sandbox.state.user_by_email("sophie.martin@example.fr") is not None


async def test_delete_client_with_deleteusers_removes_orphaned_users(api: Api) -> None:
    await api.ok("DeleteClient", clientid="6", deleteusers="1")

    assert api.sandbox.state.user_by_email("sophie.martin@example.fr") is None


async def test_delete_unknown_client(api: Api) -> None:
    assert await api.fails("DeleteClient", clientid="999") == "Client ID Not Found"


async def test_passwords_never_appear_in_answers(api: Api) -> None:
    add = await api.call("AddClient", **client_form())
    details = await api.call("GetClientsDetails", clientid="13", stats="1")
    listing = await api.call("GetClients")

    for reply in (add, details, listing):
        assert b"Correct-Horse-9" not in reply.raw
        assert b"password" not in reply.raw.lower()
        assert b"pbkdf2" not in reply.raw
