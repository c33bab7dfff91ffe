"""WhmcsDetails, GetClients and GetClientsDetails: real 8.x shapes and types."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from integrations.whmcs.sandbox import SandboxConfig

from .conftest import Api, SandboxFactory


async def test_whmcs_details(api: Api) -> None:
    body = await api.ok("WhmcsDetails")

    assert body == {
        "result": "success",
        "whmcs": {"version": "8.13.3", "canonicalversion": "8.13.3-release.1"},
    }


async def test_whmcs_details_reports_the_configured_version(make_api: SandboxFactory) -> None:
    api = await make_api(SandboxConfig(version="8.6.1"))

    body = await api.ok("WhmcsDetails")

    assert body["whmcs"] == {"version": "8.6.1", "canonicalversion": "8.6.1-release.1"}


async def test_get_clients_row_shape_and_int_types(api: Api) -> None:
    body = await api.ok("GetClients", limitnum="2")

    assert (body["totalresults"], body["startnumber"], body["numreturned"]) == (12, 0, 2)
    assert body["clients"]["client"][0] == {
        "id": 1,
        "firstname": "Margaret",
        "lastname": "Hale",
        "companyname": "",
        "email": "margaret.hale@example.co.uk",
        "datecreated": "0000-00-00",
        "groupid": 0,
        "status": "Active",
    }


async def test_get_clients_default_page_is_25(api: Api) -> None:
    for n in range(20):
        api.sandbox.state.add_client(firstname="Extra", lastname=str(n), email=f"x{n}@example.org")

    body = await api.ok("GetClients")

    assert (body["totalresults"], body["numreturned"]) == (32, 25)
    assert [c["id"] for c in body["clients"]["client"]] == list(range(1, 26))


async def test_get_clients_pages_with_limitstart(api: Api) -> None:
    body = await api.ok("GetClients", limitstart="10", limitnum="5")

    assert (body["totalresults"], body["startnumber"], body["numreturned"]) == (12, 10, 2)
    assert [c["id"] for c in body["clients"]["client"]] == [11, 12]


async def test_get_clients_page_past_the_end_is_an_empty_string(api: Api) -> None:
    body = await api.ok("GetClients", limitstart="40")

    assert (body["totalresults"], body["numreturned"], body["clients"]) == (12, 0, "")


async def test_get_clients_no_match_is_an_empty_string(api: Api) -> None:
    body = await api.ok("GetClients", search="nobody-here")

    assert body == {
        "result": "success",
        "totalresults": 0,
        "startnumber": 0,
        "numreturned": 0,
        "clients": "",
    }


async def test_get_clients_search_is_a_prefix_match_on_email(api: Api) -> None:
    body = await api.ok("GetClients", search="bob@example.com")

    emails = [c["email"] for c in body["clients"]["client"]]
    assert emails == ["bob@example.com", "bob@example.com.au"]


@pytest.mark.parametrize(
    ("search", "ids"),
    [
        ("BOB", [2, 4]),  # firstname, case-insensitive
        ("müll", [5]),  # lastname, non-ASCII
        ("liam o'", [7]),  # fullname
        ("acme", [3]),  # companyname
        ("priya@", [3]),  # email
        ("ob", []),  # prefix, not substring
        ("example.com", []),  # not a substring of the e-mail either
    ],
)
async def test_get_clients_search_fields(api: Api, search: str, ids: list[int]) -> None:
    body = await api.ok("GetClients", search=search)

    found = [c["id"] for c in body["clients"]["client"]] if body["clients"] else []
    assert found == ids


async def test_get_clients_status_filter(api: Api) -> None:
    body = await api.ok("GetClients", status="Closed")

    assert [c["id"] for c in body["clients"]["client"]] == [6, 11]
    assert body["totalresults"] == 2


async def test_get_clients_sorting_desc(api: Api) -> None:
    body = await api.ok("GetClients", sorting="DESC", limitnum="3")

    assert [c["id"] for c in body["clients"]["client"]] == [12, 11, 10]


async def test_get_clients_orderby_lastname(api: Api) -> None:
    body = await api.ok("GetClients", orderby="lastname", limitnum="3")

    assert [c["lastname"] for c in body["clients"]["client"]] == ["Brown", "Dlamini", "Hale"]


async def test_get_clients_unknown_orderby_falls_back_to_id(api: Api) -> None:
    body = await api.ok("GetClients", orderby="password", limitnum="2")

    assert [c["id"] for c in body["clients"]["client"]] == [1, 2]


async def test_get_clients_ignores_the_wrong_order_parameter(api: Api) -> None:
    # The parameter is "sorting"; "order" is silently ignored, as WHMCS does.
    body = await api.ok("GetClients", order="DESC", limitnum="1")

    assert body["clients"]["client"][0]["id"] == 1


async def test_details_are_flattened_and_nested(api: Api) -> None:
    body = await api.ok("GetClientsDetails", clientid="3")

    nested = body["client"]
    assert (nested["id"], nested["userid"], nested["client_id"], nested["owner_user_id"]) == (
        3,
        3,
        3,
        3,
    )
    assert (body["id"], body["userid"], body["owner_user_id"]) == ("3", "3", "3")
    assert nested["companyname"] == body["companyname"] == "Acme Widgets Ltd"
    assert nested["fullname"] == "Priya Natarajan"
    assert (nested["country"], nested["countrycode"]) == ("GB", "GB")
    assert nested["phonenumberformatted"] == "+44.1134960721"
    assert nested["groupid"] == 1
    assert body["groupid"] == "1"
    assert "stats" not in body


async def test_details_list_the_users_with_the_owner_flag(api: Api) -> None:
    body = await api.ok("GetClientsDetails", clientid="3")

    assert body["client"]["users"] == {
        "user": [
            {
                "id": 3,
                "name": "Priya Natarajan",
                "email": "priya@acme-widgets.example",
                "is_owner": True,
            },
            {"id": 4, "name": "Tom Baker", "email": "tom@acme-widgets.example", "is_owner": False},
        ]
    }


async def test_user_ids_drift_from_client_ids_after_the_invited_user(api: Api) -> None:
    body = await api.ok("GetClientsDetails", clientid="4")

    assert (body["client"]["id"], body["client"]["owner_user_id"]) == (4, 5)


# GetClientsDetails' `client` object in WHMCS's 8.x API reference (its example answer), with the
# JSON type of each value there. `customfields1` (one per custom field) is left out: the sandbox
# has no custom fields.
DOCUMENTED_CLIENT_KEYS: dict[str, type | tuple[type, ...]] = {
    "client_id": int, "owner_user_id": int, "userid": int, "id": int, "uuid": str,
    "firstname": str, "lastname": str, "fullname": str, "companyname": str, "email": str,
    "address1": str, "address2": str, "city": str, "fullstate": str, "state": str,
    "postcode": str, "countrycode": str, "country": str, "phonenumber": str, "tax_id": str,
    "email_preferences": dict, "statecode": str, "countryname": str, "phonecc": str,
    "phonenumberformatted": str, "telephoneNumber": str, "billingcid": int, "notes": str,
    "currency": int, "defaultgateway": str, "groupid": int, "status": str, "credit": str,
    "taxexempt": bool, "latefeeoveride": bool, "overideduenotices": bool,
    "separateinvoices": bool, "disableautocc": bool, "emailoptout": bool,
    "marketing_emails_opt_in": bool, "overrideautoclose": bool, "allowSingleSignOn": int,
    "email_verified": bool, "language": str, "isOptedInToMarketingEmails": bool,
    "lastlogin": str, "currency_code": str, "customfields": list, "users": dict,
}  # fmt: skip


async def test_details_carry_every_documented_key_with_its_type(api: Api) -> None:
    body = await api.ok("GetClientsDetails", clientid="3")

    client = body["client"]
    missing = set(DOCUMENTED_CLIENT_KEYS) - set(client)
    assert not missing, missing
    wrong = {
        key: type(client[key]).__name__
        for key, kind in DOCUMENTED_CLIENT_KEYS.items()
        if type(client[key]) is not kind  # exact: a bool is not an int here
    }
    assert not wrong, wrong
    assert set(DOCUMENTED_CLIENT_KEYS) - {"users", "email_preferences"} <= set(body)  # flat copy


async def test_details_values_in_whmcs_string_forms(api: Api) -> None:
    body = await api.ok("GetClientsDetails", clientid="3")

    client = body["client"]
    assert (client["countryname"], client["countrycode"], client["phonecc"]) == (
        "United Kingdom",
        "GB",
        "44",
    )
    assert client["telephoneNumber"] == client["phonenumberformatted"] == "+44.1134960721"
    assert (client["statecode"], client["fullstate"]) == ("West Yorkshire", "West Yorkshire")
    assert (client["billingcid"], client["defaultgateway"], client["credit"]) == (0, "", "0.00")
    assert client["allowSingleSignOn"] == 1
    assert client["email_preferences"] == dict.fromkeys(
        ("general", "invoice", "support", "product", "domain", "affiliate"), "1"
    )
    flags = ("latefeeoveride", "overideduenotices", "separateinvoices", "disableautocc")
    assert [client[f] for f in (*flags, "overrideautoclose", "emailoptout")] == [False] * 6
    # The deprecated flat copy has 7.x's string ids next to the nested ints.
    assert (body["billingcid"], body["allowSingleSignOn"], body["currency"]) == ("0", "1", "1")


@pytest.mark.parametrize(
    ("country", "name"),
    [("US", "United States"), ("DE", "Germany"), ("KR", "South Korea"), ("", "")],
)
async def test_details_country_names(api: Api, country: str, name: str) -> None:
    api.sandbox.state.update_client(2, country=country)

    client = (await api.ok("GetClientsDetails", clientid="2"))["client"]

    assert (client["countryname"], client["countrycode"]) == (name, country)


async def test_update_client_sets_the_override_flags_and_payment_method(api: Api) -> None:
    await api.ok(
        "UpdateClient",
        clientid="2",
        latefeeoveride="1",
        overideduenotices="true",
        separateinvoices="1",
        disableautocc="on",
        overrideautoclose="1",
        paymentmethod="paypal",
        billingcid="0",
    )

    client = (await api.ok("GetClientsDetails", clientid="2"))["client"]
    flags = ("latefeeoveride", "overideduenotices", "separateinvoices", "disableautocc")
    assert [client[f] for f in (*flags, "overrideautoclose")] == [True] * 5
    assert client["defaultgateway"] == "paypal"


async def test_legacy_client_has_a_zero_date(api: Api) -> None:
    body = await api.ok("GetClientsDetails", clientid="1")

    assert body["client"]["datecreated"] == body["datecreated"] == "0000-00-00"


async def test_details_by_email_is_exact_and_case_insensitive(api: Api) -> None:
    body = await api.ok("GetClientsDetails", email="BOB@example.com")

    assert body["client"]["id"] == 2


async def test_details_escape_slashes_and_non_ascii_like_php(api: Api) -> None:
    reply = await api.call("GetClientsDetails", clientid="5")

    assert b'"firstname":"J\\u00fcrgen"' in reply.raw
    assert b"30\\/06\\/2020" in reply.raw  # lastlogin's HTML fragment, PHP-escaped
    assert reply.json()["client"]["lastlogin"].startswith("Date: 30/06/2020")


async def test_details_stats_only_when_asked(api: Api) -> None:
    body = await api.ok("GetClientsDetails", clientid="2", stats="true")
    unpaid = await api.ok("GetInvoices", userid="2", status="Unpaid")

    assert body["stats"]["creditbalance"] == "$0.00 USD"
    assert body["stats"]["numdueinvoices"] == unpaid["totalresults"] == 2


# The reference's `stats` keys: counts are ints, money is a formatted string, two booleans.
STATS_BOOLEANS = {"incredit", "isAffiliate"}
STATS_AMOUNTS = {
    "dueinvoicesbalance", "creditbalance", "grossRevenue", "expenses", "income",
    "overdueinvoicesbalance", "draftInvoicesBalance", "unpaidinvoicesamount",
    "paidinvoicesamount", "cancelledinvoicesamount", "refundedinvoicesamount",
    "collectionsinvoicesamount", "paymentpendinginvoicesamount",
}  # fmt: skip
STATS_COUNTS = {
    "numdueinvoices", "numoverdueinvoices", "numDraftInvoices", "numunpaidinvoices",
    "numpaidinvoices", "numcancelledinvoices", "numrefundedinvoices", "numcollectionsinvoices",
    "numpaymentpendinginvoices", "productsnumactivehosting", "productsnumhosting",
    "productsnumactivereseller", "productsnumreseller", "productsnumactiveservers",
    "productsnumservers", "productsnumactiveother", "productsnumother", "productsnumactive",
    "productsnumtotal", "numactivedomains", "numdomains", "numacceptedquotes", "numquotes",
    "numtickets", "numactivetickets", "numaffiliatesignups",
}  # fmt: skip


async def test_details_stats_carry_every_documented_key(api: Api) -> None:
    stats = (await api.ok("GetClientsDetails", clientid="2", stats="1"))["stats"]

    assert set(stats) == STATS_BOOLEANS | STATS_AMOUNTS | STATS_COUNTS
    assert {k for k, v in stats.items() if type(v) is bool} == STATS_BOOLEANS
    assert all(type(stats[k]) is int for k in STATS_COUNTS)
    assert all(re.fullmatch(r"\$\d+\.\d\d USD", stats[k]) for k in STATS_AMOUNTS), stats


@pytest.mark.parametrize("client_id", range(1, 13))
async def test_details_stats_agree_with_the_other_actions(api: Api, client_id: int) -> None:
    """What stats counts is what GetClientsProducts, GetClientsDomains, GetTickets and
    GetInvoices list for the same client."""
    cid = str(client_id)
    stats = (await api.ok("GetClientsDetails", clientid=cid, stats="1"))["stats"]
    products = await api.ok("GetClientsProducts", clientid=cid, limitnum="250")
    domains = await api.ok("GetClientsDomains", clientid=cid, limitnum="250")
    tickets = await api.ok("GetTickets", clientid=cid, ignore_dept_assignments="1")

    rows = products["products"]["product"] if products["products"] else []
    assert stats["productsnumtotal"] == int(products["totalresults"]) == len(rows)
    assert stats["productsnumactive"] == sum(p["status"] == "Active" for p in rows)
    assert stats["numdomains"] == int(domains["totalresults"])
    assert stats["numtickets"] == int(tickets["totalresults"])
    for status, key in (("Unpaid", "numunpaidinvoices"), ("Paid", "numpaidinvoices")):
        listed = await api.ok("GetInvoices", userid=cid, status=status)
        assert stats[key] == int(listed["totalresults"]), status


async def test_details_stats_money_is_the_balance_owed(api: Api) -> None:
    stats = (await api.ok("GetClientsDetails", clientid="2", stats="1"))["stats"]
    unpaid = await api.ok("GetInvoices", userid="2", status="Unpaid")

    owed = Decimal(0)
    for row in unpaid["invoices"]["invoice"]:
        owed += Decimal((await api.ok("GetInvoice", invoiceid=str(row["id"])))["balance"])
    assert owed > 0
    assert stats["dueinvoicesbalance"] == stats["unpaidinvoicesamount"] == f"${owed:.2f} USD"


async def test_details_need_clientid_or_email(api: Api) -> None:
    assert await api.fails("GetClientsDetails") == "Either clientid Or email Is Required"


@pytest.mark.parametrize("params", [{"clientid": "999"}, {"email": "bob@example"}])
async def test_details_unknown_client(api: Api, params: dict[str, str]) -> None:
    assert await api.fails("GetClientsDetails", **params) == "Client Not Found"


async def test_changes_made_in_whmcs_show_up(api: Api) -> None:
    api.sandbox.state.update_client(2, email="robert@example.com", status="Inactive")

    body = await api.ok("GetClientsDetails", clientid="2")
    listed = await api.ok("GetClients", search="robert@")

    assert (body["client"]["email"], body["client"]["status"]) == ("robert@example.com", "Inactive")
    assert listed["clients"]["client"][0]["id"] == 2
