"""Every module record survives JSON exactly (the cache stores records as JSON text)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from integrations.whmcs.entities import (
    WhmcsDomain,
    WhmcsInvoice,
    WhmcsInvoiceDetail,
    WhmcsOrder,
    WhmcsPage,
    WhmcsService,
    WhmcsTicket,
    WhmcsTicketDetail,
)
from integrations.whmcs.entities.codec import from_json, to_json
from tests.support.whmcs_module_bodies import (
    domain_row,
    invoice_body,
    invoice_row,
    order_row,
    product_row,
    ticket_body,
    ticket_row,
)

PAYMENT = {
    "id": "10", "gateway": "paypal", "date": "2016-01-01 06:41:11", "amountin": "45.90",
    "fees": "", "amountout": "0.00", "transid": "", "description": "Invoice Payment",
}  # fmt: skip
RECORDS: list[tuple[Any, Any]] = [
    (WhmcsService, WhmcsService.from_row(product_row(recurringamount="12.950", regdate=""))),
    (WhmcsInvoice, WhmcsInvoice.from_row(invoice_row(datepaid="2016-01-05 10:11:12"))),
    (
        WhmcsInvoiceDetail,
        WhmcsInvoiceDetail.from_body(invoice_body(transactions={"transaction": [PAYMENT]})),
    ),
    (WhmcsOrder, WhmcsOrder.from_row(order_row())),
    (WhmcsTicket, WhmcsTicket.from_row(ticket_row(lastreply="0000-00-00 00:00:00"))),
    (WhmcsTicketDetail, WhmcsTicketDetail.from_body(ticket_body())),
    (WhmcsDomain, WhmcsDomain.from_row(domain_row(expirydate="0000-00-00"))),
    (
        WhmcsPage[WhmcsService],
        WhmcsPage(items=(WhmcsService.from_row(product_row()),), total=26, offset=25),
    ),
    (
        WhmcsPage[WhmcsInvoice],
        WhmcsPage(items=(WhmcsInvoice.from_row(invoice_row()),), total=1, offset=0),
    ),
    (WhmcsPage[WhmcsDomain], WhmcsPage(items=(), total=0, offset=0)),
]


@pytest.mark.parametrize(("cls", "record"), RECORDS, ids=lambda v: getattr(v, "__name__", ""))
def test_round_trip_through_json_text(cls: Any, record: Any) -> None:
    text = json.dumps(to_json(record))

    back = from_json(cls, json.loads(text))

    assert back == record
    assert repr(back) == repr(record)  # same types too: Decimal digits, datetime vs date


def test_decimals_are_written_as_their_exact_text() -> None:
    service = WhmcsService.from_row(product_row(recurringamount="12.950"))

    data = to_json(service)
    back = from_json(WhmcsService, json.loads(json.dumps(data)))

    assert data["recurring_amount"] == "12.950"
    assert back.recurring_amount == Decimal("12.950")
    assert str(back.recurring_amount) == "12.950"
    assert "password" not in json.dumps(data)
