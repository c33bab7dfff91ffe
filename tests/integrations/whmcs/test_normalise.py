"""Every shape quirk of whmcs-api.md section 5."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.whmcs.normalise import (
    WhmcsShapeError,
    as_bool,
    as_date,
    as_int,
    as_list,
    as_opt_str,
    as_str,
)

A = {"id": 1, "email": "a@example.com"}
B = {"id": 2, "email": "b@example.com"}
C = {"id": 3, "email": "c@example.com"}


@pytest.mark.parametrize(
    ("value", "expected"), [(42, 42), ("42", 42), (" 7 ", 7), ("0", 0), ("-1", -1), (0, 0)]
)
def test_as_int_accepts_ints_and_numeric_strings(value: object, expected: int) -> None:
    assert as_int(value) == expected


@pytest.mark.parametrize("value", [True, False, None, "", "4.5", "12abc", 4.0, [], {}])
def test_as_int_rejects_the_rest(value: object) -> None:
    with pytest.raises(WhmcsShapeError, match=r"^clientid: expected an integer"):
        as_int(value, "clientid")


def test_shape_error_is_a_value_error_with_a_truncated_value() -> None:
    with pytest.raises(ValueError, match="totalresults") as info:
        as_int("x" * 500, "totalresults")

    assert len(str(info.value)) < 120
    assert str(info.value).endswith("…")
    assert isinstance(info.value, WhmcsShapeError)
    assert info.value.field == "totalresults"


@pytest.mark.parametrize(
    ("value", "expected"), [("", None), (None, None), ("x", "x"), (" ", " "), (44, "44")]
)
def test_as_opt_str(value: object, expected: str | None) -> None:
    assert as_opt_str(value) == expected


@pytest.mark.parametrize("value", [True, [], {"a": 1}])
def test_as_opt_str_rejects_non_text(value: object) -> None:
    with pytest.raises(WhmcsShapeError):
        as_opt_str(value, "companyname")


def test_as_str() -> None:
    assert as_str("") == ""
    assert as_str(123) == "123"
    with pytest.raises(WhmcsShapeError, match="email"):
        as_str(None, "email")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0000-00-00", None),
        ("0000-00-00 00:00:00", None),
        ("", None),
        (None, None),
        ("2016-01-15", date(2016, 1, 15)),
        ("2016-01-08 14:06:34", date(2016, 1, 8)),
        (" 2024-02-29 ", date(2024, 2, 29)),
    ],
)
def test_as_date(value: object, expected: date | None) -> None:
    assert as_date(value) == expected


@pytest.mark.parametrize("value", ["2016-02-30", "15/01/2016", "yesterday", 20160115, "2016-1-5"])
def test_as_date_rejects_what_is_not_a_date(value: object) -> None:
    with pytest.raises(WhmcsShapeError, match="datecreated"):
        as_date(value, "datecreated")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True), (False, False), ("", False), ("0", False), ("1", True), (0, False),
        (1, True), ("on", True), ("true", True), ("false", False), (None, False),
    ],
)  # fmt: skip
def test_as_bool(value: object, expected: bool) -> None:
    assert as_bool(value) is expected


@pytest.mark.parametrize("value", [2, "maybe", [], 1.0])
def test_as_bool_rejects_the_rest(value: object) -> None:
    with pytest.raises(WhmcsShapeError, match="taxexempt"):
        as_bool(value, "taxexempt")


@pytest.mark.parametrize(
    "container",
    [
        "",  # "clients": "" (empty string, lib fixture)
        None,  # key missing: body.get("clients")
        {},
        [],
        {"client": []},
        {"client": ""},
        {"client": {}},
        {"client": None},
    ],
)
def test_as_list_empty_shapes(container: object) -> None:
    assert as_list(container, "client") == []


def test_as_list_unwraps_the_nested_list() -> None:
    assert as_list({"client": [A, B]}, "client") == [A, B]


def test_as_list_single_object_becomes_a_list() -> None:
    assert as_list({"client": A}, "client") == [A]


def test_as_list_numeric_keyed_object_is_sorted_by_key() -> None:
    numeric = {"10": C, "2": B, "0": A}

    assert as_list(numeric, "client") == [A, B, C]
    assert as_list({"client": numeric}, "client") == [A, B, C]


def test_as_list_takes_a_bare_list() -> None:
    assert as_list([A, B], "user") == [A, B]  # GetUsers returns a flat "users" array


@pytest.mark.parametrize(
    "container",
    [
        "oops",
        42,
        {"product": [A]},  # wrong wrapper key: guessing would hide a bug
        {"client": [A, "not an object"]},
        {"client": "x"},
        [1, 2],
    ],
)
def test_as_list_rejects_other_shapes(container: object) -> None:
    with pytest.raises(WhmcsShapeError, match=r"^clients"):
        as_list(container, "client")
