"""whmcsDomains end to end through HTTP against the sandbox."""

from __future__ import annotations

from tests.conftest import Api
from tests.graph.module_documents import DOMAINS
from tests.graph.whmcs_reads.support import audit_rows, last_call, read


async def test_a_clients_domains_as_whmcs_sent_them(api: Api) -> None:
    page = await read(api, DOMAINS, c="1")

    assert page["items"] == [
        {
            "id": "1",
            "clientId": "1",
            "orderId": "1",
            "domain": "margarethale.example",
            "registrar": "enom",
            "registrationType": "Register",
            "registrationPeriodYears": 1,
            "registrationDate": "2015-01-01",
            "expiryDate": "2026-01-01",
            "nextDueDate": "2025-12-18",
            "status": "Active",
            "recurringAmount": "12.95",
            "paymentMethod": "paypal",
            "doNotRenew": False,
            "idProtection": True,
            "dnsManagement": True,
            "emailForwarding": False,
        }
    ]
    assert last_call(api, "GetClientsDomains")["clientid"] == "1"


async def test_pending_registration_has_no_expiry_date(api: Api) -> None:
    page = await read(api, DOMAINS, c="2")

    pending = page["items"][1]
    assert (pending["domain"], pending["status"], pending["expiryDate"]) == (
        "bob-smith.example",
        "Pending Registration",
        None,  # 0000-00-00 until the registrar reports one
    )


async def test_a_transfer_without_a_registrar_and_an_expired_domain(api: Api) -> None:
    transfer = (await read(api, DOMAINS, c="7"))["items"][0]
    expired = (await read(api, DOMAINS, c="5"))["items"][0]

    assert (transfer["registrationType"], transfer["registrar"], transfer["orderId"]) == (
        "Transfer",
        None,  # ""
        None,
    )
    assert (expired["status"], expired["doNotRenew"]) == ("Expired", True)


async def test_empty_unknown_and_paging(api: Api) -> None:
    empty = await read(api, DOMAINS, c="4")
    unknown = await read(api, DOMAINS, c="999")
    second = await read(api, DOMAINS, c="2", offset=1, limit=1)

    assert (empty["__typename"], empty["total"], empty["items"]) == ("WhmcsDomainPage", 0, [])
    assert (unknown["__typename"], unknown["entityType"], unknown["id"]) == (
        "NotFoundError",
        "CLIENT",
        "999",
    )
    assert (second["total"], [d["id"] for d in second["items"]]) == (2, ["3"])
    call = last_call(api, "GetClientsDomains")
    assert (call["limitstart"], call["limitnum"]) == ("1", "1")


async def test_the_read_is_audited_as_a_domain_read(api: Api) -> None:
    await read(api, DOMAINS, c="1")

    assert await audit_rows() == [("LIST", "DOMAIN", 1, "GetClientsDomains", "SUCCESS")]
