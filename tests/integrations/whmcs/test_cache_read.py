"""WhmcsReadCache.read and .invalidate (any record kind) on both backends: exact round trips,
generation per WHMCS client or per kind, long keys, the cache switched off."""

from __future__ import annotations

import datetime
from decimal import Decimal

from integrations.whmcs.entities import (
    WhmcsInvoice,
    WhmcsInvoiceDetail,
    WhmcsInvoiceLine,
    WhmcsPage,
    WhmcsPayment,
)
from tests.integrations.whmcs.test_cache import Caches, Loader
from tests.integrations.whmcs.test_cache import caches as caches  # the fixture

INVOICE = WhmcsInvoice(
    id=7,
    client_id=3,
    invoice_number=None,
    date=datetime.date(2019, 8, 2),
    due_date=None,
    date_paid=datetime.datetime(2019, 8, 5, 9, 0),  # noqa: DTZ001 (WHMCS times are naive)
    status="Payment Pending",
    subtotal=Decimal("114.80"),
    credit=Decimal("10.00"),
    tax=Decimal("22.940"),
    tax2=Decimal("0"),
    total=Decimal("127.74"),
    tax_rate=None,
    tax_rate2=None,
    currency_code="USD",
    payment_method=None,
)
DETAIL = WhmcsInvoiceDetail(
    invoice=INVOICE,
    balance=Decimal("40.08"),
    lines=(WhmcsInvoiceLine(1, "Hosting", 5, "VPS", Decimal("89.70"), True),),
    payments=(
        WhmcsPayment(1, "T-1", "paypal", None, Decimal("100.00"), None, Decimal("0.00"), None),
    ),
)
PAGE = WhmcsPage(items=(INVOICE,), total=1, offset=0)


async def test_a_record_comes_back_exactly(caches: Caches) -> None:
    cache = caches.make()
    load = Loader([DETAIL])

    first = await cache.read(
        "invoice", "detail:7", owner=None, load=load, record_type=WhmcsInvoiceDetail
    )
    second = await cache.read(
        "invoice", "detail:7", owner=None, load=load, record_type=WhmcsInvoiceDetail
    )

    assert first == second == DETAIL
    assert str(second.invoice.tax) == "22.940"  # digits kept, not re-rounded
    assert load.calls == 1


async def test_a_generic_page_comes_back_exactly(caches: Caches) -> None:
    cache = caches.make()
    load = Loader([PAGE])
    kind = WhmcsPage[WhmcsInvoice]

    await cache.read("invoice", "list:3", owner=3, load=load, record_type=kind)
    again = await cache.read("invoice", "list:3", owner=3, load=load, record_type=kind)

    assert again == PAGE
    assert isinstance(again.items, tuple)
    assert load.calls == 1


async def test_a_clients_reads_follow_its_generation(caches: Caches) -> None:
    writer, reader = caches.make(), caches.make()  # two instances on one backend
    load = Loader([PAGE, PAGE])
    kind = WhmcsPage[WhmcsInvoice]
    await reader.read("invoice", "list:3", owner=3, load=load, record_type=kind)

    await writer.invalidate_client(4)  # another client: still served
    await reader.read("invoice", "list:3", owner=3, load=load, record_type=kind)
    assert load.calls == 1

    await writer.invalidate_client(3)  # a write to client 3 retires its module reads too
    await reader.read("invoice", "list:3", owner=3, load=load, record_type=kind)
    assert load.calls == 2

    await writer.invalidate("service", 3)  # any kind of the same client: one generation
    await reader.read("invoice", "list:3", owner=3, load=load, record_type=kind)
    assert load.calls == 3


async def test_reads_without_an_owner_follow_their_kinds_generation(caches: Caches) -> None:
    cache = caches.make()
    load = Loader([DETAIL])

    async def read_it() -> None:
        await cache.read(
            "invoice", "detail:7", owner=None, load=load, record_type=WhmcsInvoiceDetail
        )

    await read_it()
    await cache.invalidate("ticket", None)
    await cache.invalidate_client(3)
    await read_it()
    assert load.calls == 1

    await cache.invalidate("invoice", None)
    await read_it()
    assert load.calls == 2


async def test_kinds_and_keys_do_not_collide_and_long_keys_are_hashed(caches: Caches) -> None:
    cache = caches.make()
    one, other = Loader([PAGE]), Loader([WhmcsPage(items=(), total=0, offset=0)])
    kind = WhmcsPage[WhmcsInvoice]
    long_key = "x" * 500

    a = await cache.read("invoice", long_key, owner=3, load=one, record_type=kind)
    b = await cache.read("order", long_key, owner=3, load=other, record_type=kind)
    again = await cache.read("invoice", long_key, owner=3, load=one, record_type=kind)

    assert (a, b, again) == (PAGE, WhmcsPage(items=(), total=0, offset=0), PAGE)
    assert (one.calls, other.calls) == (1, 1)
    backend = cache._backend
    keys = list(getattr(backend, "_values", {}))
    assert all(len(key) < 200 for key in keys)


async def test_switched_off_it_always_loads(caches: Caches) -> None:
    cache = caches.make(enabled=False)
    load = Loader([DETAIL])

    for _ in range(2):
        await cache.read(
            "invoice", "detail:7", owner=None, load=load, record_type=WhmcsInvoiceDetail
        )
    await cache.invalidate("invoice", None)  # a no-op, no error

    assert load.calls == 2
