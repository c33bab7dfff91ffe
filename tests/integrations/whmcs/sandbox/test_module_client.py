"""The project's own client against the sandbox over real HTTP: the resources read what the
sandbox serves, value by value (the two share no code, so each checks the other)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import aiohttp
import pytest

from integrations.whmcs.client import WhmcsClient
from integrations.whmcs.errors import WhmcsNotFoundError
from integrations.whmcs.sandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET, RunningSandbox

BOB, ACME, BOB_JONES, EMMA = 2, 3, 4, 10


@pytest.fixture
async def whmcs(sandbox: RunningSandbox) -> AsyncIterator[WhmcsClient]:
    async with aiohttp.ClientSession() as session:
        yield WhmcsClient(
            api_url=sandbox.url,
            identifier=DEFAULT_IDENTIFIER,
            secret=DEFAULT_SECRET,
            session=session,
            read_retries=0,
        )


async def test_services(whmcs: WhmcsClient) -> None:
    page = await whmcs.services.list(BOB)

    assert page.total == 3
    plus = next(s for s in page.items if s.name == "Plus")
    assert plus.client_id == BOB
    assert str(plus.recurring_amount) == "59.40"
    assert plus.billing_cycle == "Annually"
    assert plus.dedicated_ip is None
    suspended = next(s for s in page.items if s.status == "Suspended")
    assert (suspended.order_id, suspended.suspension_reason) == (None, "Overdue on Payment")


async def test_invoices_newest_first_paged(whmcs: WhmcsClient) -> None:
    first = await whmcs.invoices.list(EMMA, limit=25)
    rest = await whmcs.invoices.list(EMMA, offset=25, limit=25)

    ids = [i.id for i in first.items + rest.items]
    assert (first.total, len(first.items), len(rest.items)) == (30, 25, 5)
    assert ids == sorted(ids, reverse=True)
    assert all(i.total == Decimal("10.00") and i.currency_code == "USD" for i in first.items)


async def test_invoice_detail(whmcs: WhmcsClient) -> None:
    (listed,) = (await whmcs.invoices.list(ACME)).items

    detail = await whmcs.invoices.get(listed.id)

    assert detail.invoice.invoice_number == "INV-2019-0042"
    assert (detail.invoice.total, detail.balance) == (Decimal("127.74"), Decimal("40.08"))
    assert [line.taxed for line in detail.lines] == [True, True, False]
    assert [(p.amount, p.amount_out) for p in detail.payments] == [
        (Decimal("100.00"), Decimal("0.00")),
        (Decimal("0.00"), Decimal("12.34")),
    ]
    assert detail.invoice.date_paid is None


async def test_orders(whmcs: WhmcsClient) -> None:
    page = await whmcs.orders.list(BOB)

    newest = page.items[0]
    assert (newest.status, newest.payment_status, newest.amount) == (
        "Pending",
        "Unpaid",
        Decimal("35.25"),
    )
    assert [(i.type, i.amount_display) for i in newest.items] == [
        ("product", "$24.00 USD"),
        ("domain", "$11.25 USD"),
    ]
    assert len(newest.order_number) == 10


async def test_tickets_from_every_department_and_the_thread(whmcs: WhmcsClient) -> None:
    page = await whmcs.tickets.list(BOB)

    assert sorted(t.department_id for t in page.items) == [1, 2]  # Billing too
    closed = next(t for t in page.items if t.status == "Closed")
    detail = await whmcs.tickets.get(closed.id)
    assert detail.ticket.department_name == "General Support"
    assert detail.messages[0].id == 0
    assert [m.admin for m in detail.messages] == [None, "Demo Admin", None]
    assert len(detail.notes) == 1


async def test_domains(whmcs: WhmcsClient) -> None:
    page = await whmcs.domains.list(BOB)

    active, pending = page.items
    assert (active.email_forwarding, active.id_protection) == (True, False)
    assert active.expiry_date == date(2026, 3, 14)
    assert (pending.status, pending.expiry_date) == ("Pending Registration", None)


@pytest.mark.parametrize("module", ["services", "invoices", "orders", "tickets", "domains"])
async def test_a_client_with_nothing_and_a_client_that_does_not_exist(
    whmcs: WhmcsClient, module: str
) -> None:
    empty = await getattr(whmcs, module).list(BOB_JONES)

    with pytest.raises(WhmcsNotFoundError) as info:
        await getattr(whmcs, module).list(999)

    assert (empty.items, empty.total) == ((), 0)
    assert info.value.entity == "client"


async def test_invoice_and_ticket_not_found(whmcs: WhmcsClient) -> None:
    with pytest.raises(WhmcsNotFoundError) as invoice:
        await whmcs.invoices.get(9999)
    with pytest.raises(WhmcsNotFoundError) as ticket:
        await whmcs.tickets.get(9999)

    assert (invoice.value.entity, ticket.value.entity) == ("invoice", "ticket")
