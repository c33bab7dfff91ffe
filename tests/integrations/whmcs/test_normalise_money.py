"""Money, date-times and related ids: the quirks the modules add (whmcs-modules.md section 0)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

from integrations.whmcs.client import WhmcsClient
from integrations.whmcs.normalise import (
    WhmcsShapeError,
    as_datetime,
    as_decimal,
    as_opt_decimal,
    as_ref,
    as_str,
)
from tests.integrations.whmcs.conftest import Observed
from tests.support.fake_whmcs import FakeWhmcs


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15.95", Decimal("15.95")),
        ("0.00", Decimal("0.00")),
        (" 12.950 ", Decimal("12.950")),  # trailing zeros are kept: "12.950" is what WHMCS said
        ("-1.00", Decimal("-1.00")),  # GetProducts: cycle not offered
        ("1.00000", Decimal("1.00000")),  # transaction rates
        ("7", Decimal(7)),
        (7, Decimal(7)),
        (Decimal("0.1"), Decimal("0.1")),
        ("12345678901234567890.123456789", Decimal("12345678901234567890.123456789")),
    ],
)
def test_as_decimal_keeps_every_digit(value: object, expected: Decimal) -> None:
    result = as_decimal(value)

    assert result == expected
    assert str(result) == str(expected)  # the same digits, not just an equal value
    assert isinstance(result, Decimal)


@pytest.mark.parametrize(
    "value",
    [
        0.1,  # a float was rounded already: refused, never converted
        12.95,
        "$5.95 USD",  # a display string (UpgradeProduct, GetStats)
        "5,95",
        "1e3",
        ".5",
        "NaN",
        "Infinity",
        Decimal("NaN"),
        Decimal("Infinity"),
        "",
        None,
        True,
        "\u0661\u0662.\u0665",  # Arabic-Indic digits: Decimal() takes them, WHMCS never sends them
        [],
    ],
)
def test_as_decimal_refuses_what_is_not_an_exact_amount(value: object) -> None:
    with pytest.raises(WhmcsShapeError, match=r"^invoice\.total: expected a decimal amount"):
        as_decimal(value, "invoice.total")


@pytest.mark.parametrize(("value", "expected"), [("", None), (None, None), ("0.00", Decimal(0))])
def test_as_opt_decimal(value: object, expected: Decimal | None) -> None:
    assert as_opt_decimal(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-01-01 06:26:29", datetime(2016, 1, 1, 6, 26, 29)),  # noqa: DTZ001
        ("2016-01-01 06:26", datetime(2016, 1, 1, 6, 26)),  # noqa: DTZ001
        ("2016-01-01", datetime(2016, 1, 1)),  # noqa: DTZ001
        ("2016-01-01T06:26:29", datetime(2016, 1, 1, 6, 26, 29)),  # noqa: DTZ001
        ("0000-00-00 00:00:00", None),
        ("0000-00-00", None),
        ("", None),
        (None, None),
    ],
)
def test_as_datetime(value: object, expected: datetime | None) -> None:
    result = as_datetime(value)

    assert result == expected
    assert result is None or result.tzinfo is None  # WHMCS's server time has no zone


@pytest.mark.parametrize(
    "value", ["2016-02-30 10:00:00", "2016-01-01 25:00:00", "01/01/2016 06:26", 1451629589]
)
def test_as_datetime_rejects_what_is_not_a_date_time(value: object) -> None:
    with pytest.raises(WhmcsShapeError, match=r"^invoice\.datepaid"):
        as_datetime(value, "invoice.datepaid")


@pytest.mark.parametrize(
    ("value", "expected"), [("0", None), (0, None), ("", None), (None, None), ("12", 12), (3, 3)]
)
def test_as_ref_reads_zero_as_no_related_record(value: object, expected: int | None) -> None:
    assert as_ref(value) == expected


@pytest.mark.parametrize("value", ["-1", -3, "x", 1.5, True])
def test_as_ref_rejects_the_rest(value: object) -> None:
    with pytest.raises(WhmcsShapeError, match="relid"):
        as_ref(value, "relid")


def test_as_str_keeps_a_decimals_digits() -> None:
    assert as_str(Decimal("1.50")) == "1.50"


async def test_json_numbers_with_a_fraction_arrive_as_decimal_not_float(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs, observed: Observed
) -> None:
    # A body written by hand, so the JSON text is exactly what a WHMCS would send.
    fake_whmcs.reply_raw(
        "GetInvoice",
        '{"result":"success","subtotal":0.1,"tax":12.950,"big":1234567890.123456789012,"n":7}',
        content_type="application/json",
    )

    body = await whmcs.call("GetInvoice", {"invoiceid": 1})

    assert body["subtotal"] == Decimal("0.1")
    assert str(body["tax"]) == "12.950"
    assert body["big"] == Decimal("1234567890.123456789012")  # a float would keep 17 digits
    assert body["n"] == 7
    assert isinstance(body["n"], int)
    assert not any(isinstance(v, float) for v in body.values())
    # The audit copy must store as JSON: the Decimals are written as their exact text.
    record = observed.records[0].response
    assert record is not None
    assert json.loads(json.dumps(record))["big"] == "1234567890.123456789012"
    assert record["n"] == 7
