"""whmcsServices end to end through HTTP against the sandbox."""

from __future__ import annotations

from tests.conftest import Api
from tests.graph.module_documents import SERVICES
from tests.graph.whmcs_reads.support import actions, audit_rows, last_call, read


async def test_a_clients_services_as_whmcs_sent_them(api: Api) -> None:
    page = await read(api, SERVICES, c="3")

    assert (page["__typename"], page["total"], page["offset"], page["limit"]) == (
        "WhmcsServicePage",
        2,
        0,
        25,
    )
    vps, free = page["items"]
    assert vps == {
        "id": "5",
        "clientId": "3",
        "orderId": "4",
        "productId": "4",
        "name": "VPS Large",
        "groupName": "VPS",
        "domain": "acme-widgets.example",
        "status": "Active",
        "billingCycle": "Semi-Annually",
        "registrationDate": "2019-08-02",
        "nextDueDate": "2026-02-02",
        "firstPaymentAmount": "89.70",
        "recurringAmount": "89.70",
        "paymentMethod": "banktransfer",
        "username": "root",
        "serverName": "Pluto",
        "dedicatedIp": "192.0.2.77",
        "suspensionReason": None,
    }
    # A free service: no order (orderid 0), no domain (""), no due date (0000-00-00), 0.00.
    assert (free["orderId"], free["domain"], free["nextDueDate"], free["username"]) == (
        None,
        None,
        None,
        None,
    )
    assert (free["billingCycle"], free["firstPaymentAmount"], free["recurringAmount"]) == (
        "Free Account",
        "0.00",
        "0.00",
    )
    call = last_call(api, "GetClientsProducts")
    assert (call["clientid"], call["limitstart"], call["limitnum"]) == ("3", "0", "25")
    assert actions(api) == ["GetClientsProducts"]


async def test_a_suspended_service_says_why(api: Api) -> None:
    page = await read(api, SERVICES, c="2")

    assert [(s["name"], s["status"]) for s in page["items"]] == [
        ("Plus", "Active"),
        ("Starter", "Suspended"),
        ("VPS Small", "Pending"),
    ]
    assert page["items"][1]["suspensionReason"] == "Overdue on Payment"


async def test_a_client_without_services_is_an_empty_page(api: Api) -> None:
    page = await read(api, SERVICES, c="4")

    assert page == {
        "__typename": "WhmcsServicePage",
        "total": 0,
        "offset": 0,
        "limit": 25,
        "items": [],
    }
    # WHMCS lists nothing for a client that does not exist too: the client is checked.
    assert actions(api) == ["GetClientsProducts", "GetClientsDetails"]


async def test_an_unknown_client_is_not_found(api: Api) -> None:
    page = await read(api, SERVICES, c="999")

    assert page == {
        "__typename": "NotFoundError",
        "entityType": "CLIENT",
        "id": "999",
        "side": "WHMCS",
        "code": "NOT_FOUND",
        "message": "No client 999 in WHMCS.",
    }


async def test_paging_is_whmcs_paging(api: Api) -> None:
    page = await read(api, SERVICES, c="2", offset=1, limit=1)

    assert (page["total"], page["offset"], page["limit"]) == (3, 1, 1)
    assert [s["id"] for s in page["items"]] == ["3"]
    call = last_call(api, "GetClientsProducts")
    assert (call["limitstart"], call["limitnum"]) == ("1", "1")


async def test_the_read_is_audited_as_a_service_read_of_its_client(api: Api) -> None:
    await read(api, SERVICES, c="2")

    assert await audit_rows() == [("LIST", "SERVICE", 2, "GetClientsProducts", "SUCCESS")]
