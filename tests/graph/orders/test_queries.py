"""whmcsOrders end to end through HTTP against the sandbox."""

from __future__ import annotations

from tests.conftest import Api
from tests.graph.module_documents import ORDERS
from tests.graph.whmcs_reads.support import actions, audit_rows, last_call, read


async def test_orders_newest_first_with_their_lines(api: Api) -> None:
    page = await read(api, ORDERS, c="2")

    assert (page["__typename"], page["total"]) == ("WhmcsOrderPage", 2)
    pending, active = page["items"]
    assert {k: v for k, v in pending.items() if k not in ("orderNumber", "items")} == {
        "id": "3",
        "clientId": "2",
        "date": "2025-06-02T11:45:00",
        "status": "Pending",
        "paymentStatus": "Unpaid",
        "amount": "35.25",
        "paymentMethod": "banktransfer",
        "invoiceId": "4",
    }
    # ordernum arrives as an int (GetOrders): an ID-like string here, digits kept.
    assert pending["orderNumber"].isdigit()
    assert len(pending["orderNumber"]) == 10
    assert pending["items"] == [
        {
            "type": "product",
            "relatedId": "4",
            "product": "VPS Small",
            "domain": "vps.bobsmith.example",
            "billingCycle": "Monthly",
            "amountDisplay": "$24.00 USD",
            "status": "Pending",
        },
        {
            "type": "domain",
            "relatedId": "3",
            "product": "Domain Registration",
            "domain": "bob-smith.example",
            "billingCycle": "1 Year(s)",
            "amountDisplay": "$11.25 USD",
            "status": "Pending Registration",
        },
    ]
    assert (active["status"], active["paymentStatus"], active["amount"]) == (
        "Active",
        "Paid",
        "72.35",
    )
    assert last_call(api, "GetOrders")["userid"] == "2"


async def test_the_status_filter_and_paging(api: Api) -> None:
    active = await read(api, ORDERS, c="2", status="Active")
    second = await read(api, ORDERS, c="2", offset=1, limit=1)

    assert [o["id"] for o in active["items"]] == ["2"]
    assert (second["total"], second["offset"], second["limit"]) == (2, 1, 1)
    assert [o["id"] for o in second["items"]] == ["2"]
    calls = api.sandbox.state.calls_for("GetOrders")
    assert calls[0]["status"] == "Active"
    assert (calls[1]["limitstart"], calls[1]["limitnum"]) == ("1", "1")
    assert "status" not in calls[1]


async def test_a_client_without_orders_and_an_unknown_one(api: Api) -> None:
    empty = await read(api, ORDERS, c="4")
    unknown = await read(api, ORDERS, c="999")

    assert (empty["__typename"], empty["total"], empty["items"]) == ("WhmcsOrderPage", 0, [])
    assert (unknown["__typename"], unknown["entityType"], unknown["id"]) == (
        "NotFoundError",
        "CLIENT",
        "999",
    )
    assert actions(api) == ["GetOrders", "GetClientsDetails", "GetOrders", "GetClientsDetails"]


async def test_the_read_is_audited_as_an_order_read(api: Api) -> None:
    await read(api, ORDERS, c="3")

    assert await audit_rows() == [("LIST", "ORDER", 3, "GetOrders", "SUCCESS")]
