"""Typed records parsed from WHMCS bodies."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from integrations.whmcs.normalise import WhmcsShapeError
from integrations.whmcs.records import (
    CLIENT_FIELDS,
    WhmcsClientRecord,
    WhmcsDetails,
)
from tests.support.whmcs_bodies import client_row, clients_details_7x, clients_details_8x


def test_from_list_row_of_a_recorded_getclients_row() -> None:
    record = WhmcsClientRecord.from_list_row(client_row(2, "price.ima@example.com"))

    assert record == WhmcsClientRecord(
        id=2,
        first_name="Angelica",
        last_name="Mohr",
        email="price.ima@example.com",
        company_name=None,  # "" means not set
        status="Active",
        created_on=date(2016, 1, 15),
        phone_number=None,
        address1=None,
        address2=None,
        city=None,
        state=None,
        postcode=None,
        country=None,
    )


def test_from_list_row_with_string_id_and_zero_date() -> None:
    row = client_row(5, "old@example.com", datecreated="0000-00-00", companyname="Acme Ltd")
    row["id"] = "5"

    record = WhmcsClientRecord.from_list_row(row)

    assert record.id == 5
    assert record.created_on is None  # clients from before WHMCS 6.0
    assert record.company_name == "Acme Ltd"


def test_from_details_8x_prefers_the_nested_client() -> None:
    body = clients_details_8x(7, "nested@example.com")
    body["email"] = "flat-and-stale@example.com"
    body["client"]["city"] = "Nested City"

    record = WhmcsClientRecord.from_details(body)

    assert record.id == 7
    assert record.email == "nested@example.com"
    assert record.city == "Nested City"
    assert record.phone_number == "01234567890"
    assert record.address1 == "123 Test Street"
    assert record.address2 is None
    assert record.country == "GB"
    assert record.created_on == date(2016, 1, 8)


def test_from_details_falls_back_to_the_flattened_top_level() -> None:
    body = clients_details_8x(7)
    del body["client"]["phonenumber"]
    del body["client"]["id"]

    record = WhmcsClientRecord.from_details(body)

    assert record.phone_number == "01234567890"
    assert record.id == 7  # from client.client_id


def test_from_details_7x_flattened_only_with_string_ids() -> None:
    record = WhmcsClientRecord.from_details(clients_details_7x(12, "seven@example.com"))

    assert record.id == 12
    assert record.email == "seven@example.com"
    assert record.postcode == "TE5 5ST"


def test_from_details_uses_countrycode_without_country() -> None:
    body = clients_details_8x()
    del body["client"]["country"]
    del body["country"]

    assert WhmcsClientRecord.from_details(body).country == "GB"


def _drop(body: dict[str, Any], *keys: str) -> None:
    for key in keys:
        body.pop(key, None)
        body["client"].pop(key, None)


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b.update(client="not an object"),
        lambda b: _drop(b, "id", "userid", "client_id"),
        lambda b: _drop(b, "email"),
        lambda b: b["client"].update(id="abc"),
        lambda b: b["client"].update(datecreated="15/01/2016"),
        lambda b: b["client"].update(firstname=["x"]),
    ],
    ids=["client-not-object", "no-id", "no-email", "bad-id", "bad-date", "bad-name"],
)
def test_from_details_rejects_malformed_bodies(change: Callable[[dict[str, Any]], None]) -> None:
    body = clients_details_8x()
    change(body)

    with pytest.raises(WhmcsShapeError):
        WhmcsClientRecord.from_details(body)


def test_whmcs_fields_are_keyed_by_client_fields() -> None:
    record = WhmcsClientRecord.from_details(clients_details_8x(3, "x@example.com"))

    fields = record.whmcs_fields()

    assert tuple(fields) == CLIENT_FIELDS
    assert fields == {
        "firstname": "Test",
        "lastname": "Client",
        "email": "x@example.com",
        "companyname": None,
        "phonenumber": "01234567890",
        "address1": "123 Test Street",
        "address2": None,
        "city": "Test",
        "state": "Tester",
        "postcode": "TE5 5ST",
        "country": "GB",
    }


def test_client_record_is_frozen() -> None:
    record = WhmcsClientRecord.from_list_row(client_row(1, "a@example.com"))

    with pytest.raises(dataclasses.FrozenInstanceError):
        record.email = "b@example.com"  # type: ignore[misc]


def test_whmcs_details_from_body() -> None:
    body = {
        "result": "success",
        "whmcs": {"version": "8.0.0", "canonicalversion": "8.0.0-release.1"},
    }

    assert WhmcsDetails.from_body(body) == WhmcsDetails("8.0.0", "8.0.0-release.1")
    assert WhmcsDetails.from_body({"whmcs": {"version": "9.0.4"}}).canonical_version is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"whmcs": ""},
        {"whmcs": {"canonicalversion": "x"}},
        {"whmcs": {"version": " "}},
        {"whmcs": {"version": "8" * 65}},
        {"whmcs": {"version": "8.13.3", "canonicalversion": "x" * 65}},
    ],
)
def test_whmcs_details_rejects_malformed_bodies(body: dict[str, object]) -> None:
    with pytest.raises(WhmcsShapeError, match="whmcs"):
        WhmcsDetails.from_body(body)
