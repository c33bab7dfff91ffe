"""Validation of local client fields, WHMCS's required fields and its validation messages."""

from __future__ import annotations

import pytest

from integrations.whmcs.sync.errors import FieldProblem, InvalidInput
from integrations.whmcs.sync.mapping import FieldMapping
from integrations.whmcs.sync.validation import (
    REQUIRED_BY_WHMCS,
    api_field_name,
    clean_client_fields,
    missing_for_whmcs,
    whmcs_message_field,
)
from models import MAX_LENGTHS

VALID = {
    "first_name": "Ana",
    "last_name": "Ruiz",
    "email": "Ana.Ruiz@Example.org",
    "company_name": "Ruiz Hosting SL",
    "phone_number": "+34 (91) 555-01.23",
    "address1": "Calle Mayor 1",
    "address2": None,
    "city": "Madrid",
    "state": "Madrid",
    "postcode": "28013",
    "country": "es",
}
DEFAULT_NAMES = {r.whmcs: r.local for r in FieldMapping.default().rules}


def problems(values: dict[str, str | None], *, partial: bool = False) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        clean_client_fields(values, partial=partial)
    return {p.field: p.message for p in caught.value.problems}


def test_valid_input_is_stripped_and_normalised() -> None:
    padded = {k: f"  {v}\t" if v is not None else None for k, v in VALID.items()}

    cleaned = clean_client_fields(padded)

    assert cleaned == {
        **VALID,
        "email": "Ana.Ruiz@Example.org",  # kept as typed: the case is the user's
        "country": "ES",
    }


def test_empty_and_blank_optional_fields_become_none() -> None:
    cleaned = clean_client_fields({**VALID, "company_name": "", "address2": "   ", "city": None})

    assert (cleaned["company_name"], cleaned["address2"], cleaned["city"]) == (None, None, None)


def test_every_offending_field_is_listed_at_once_by_its_api_name() -> None:
    bad: dict[str, str | None] = {
        "first_name": "   ",
        "last_name": "x" * 101,
        "email": "not-an-email",
        "company_name": "c" * 201,
        "phone_number": "call me",
        "address1": "a" * 256,
        "postcode": "1" * 21,
        "country": "XX",
    }

    found = problems(bad)

    assert found == {
        "firstName": "is required.",
        "lastName": "must be at most 100 characters.",
        "email": "is not a valid e-mail address.",
        "companyName": "must be at most 200 characters.",
        "phoneNumber": "may hold only digits, spaces, + ( ) . and -, with at least 5 digits.",
        "address1": "must be at most 255 characters.",
        "postcode": "must be at most 20 characters.",
        "country": "must be an ISO 3166-1 alpha-2 country code, like US or ES.",
    }


def test_the_error_message_names_every_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_client_fields({"first_name": "", "email": "x", "country": "Spain"})

    assert caught.value.message == "Invalid input: firstName, email, country, lastName."
    assert caught.value.problems[-1] == FieldProblem("lastName", "is required.")


def test_required_fields_are_required_on_create() -> None:
    assert problems({"company_name": "Acme"}) == {
        "firstName": "is required.",
        "lastName": "is required.",
        "email": "is required.",
    }


@pytest.mark.parametrize("name", sorted(MAX_LENGTHS))
def test_length_limits_come_from_the_model(name: str) -> None:
    limit = MAX_LENGTHS[name]
    # A value of exactly the limit that is otherwise valid for the field.
    at_limit = {
        "email": "a" * (limit - len("@example.org")) + "@example.org",
        "phone_number": "1" * limit,
        "country": "ES"[:limit],
    }.get(name, "x" * limit)

    assert clean_client_fields({name: at_limit}, partial=True) == {name: at_limit}
    too_long = at_limit + ("1" if name == "phone_number" else "x")
    assert problems({name: too_long}, partial=True) == {
        api_field_name(name): f"must be at most {limit} characters."
    }


def test_length_is_measured_after_stripping() -> None:
    value = "  " + "x" * MAX_LENGTHS["city"] + "  "

    assert clean_client_fields({"city": value}, partial=True) == {"city": value.strip()}


@pytest.mark.parametrize(
    "email", ["ana@example", "ana@@example.org", "ana example@x.org", "@example.org", "ana@-x.org"]
)
def test_invalid_email_addresses(email: str) -> None:
    assert problems({"email": email}, partial=True) == {"email": "is not a valid e-mail address."}


@pytest.mark.parametrize("phone", ["+34 600 000 000", "(91) 555-01.23", "12345"])
def test_accepted_phone_numbers(phone: str) -> None:
    assert clean_client_fields({"phone_number": phone}, partial=True) == {"phone_number": phone}


@pytest.mark.parametrize("phone", ["1234", "+34 600 CALL", "++34 600 000", "34/600/000"])
def test_refused_phone_numbers(phone: str) -> None:
    assert problems({"phone_number": phone}, partial=True) == {
        "phoneNumber": "may hold only digits, spaces, + ( ) . and -, with at least 5 digits."
    }


def test_country_is_upper_cased_before_it_is_checked() -> None:
    assert clean_client_fields({"country": " gb "}, partial=True) == {"country": "GB"}
    assert problems({"country": "uk"}, partial=True) == {
        "country": "must be an ISO 3166-1 alpha-2 country code, like US or ES."
    }
    assert problems({"country": "esp"}, partial=True) == {
        "country": "must be at most 2 characters."
    }


def test_partial_checks_only_the_given_fields() -> None:
    assert clean_client_fields({"city": " Sevilla "}, partial=True) == {"city": "Sevilla"}
    assert clean_client_fields({}, partial=True) == {}


def test_partial_may_clear_optional_fields_but_not_required_ones() -> None:
    assert clean_client_fields({"company_name": None, "address2": ""}, partial=True) == {
        "company_name": None,
        "address2": None,
    }
    assert problems({"last_name": None, "email": "  ", "city": ""}, partial=True) == {
        "lastName": "is required.",
        "email": "is required.",
    }


@pytest.mark.parametrize(
    ("local", "api"),
    [
        ("first_name", "firstName"),
        ("phone_number", "phoneNumber"),
        ("company_name", "companyName"),
        ("address1", "address1"),
        ("postcode", "postcode"),
    ],
)
def test_api_field_names_are_camel_case(local: str, api: str) -> None:
    assert api_field_name(local) == api


def test_missing_for_whmcs_lists_every_required_field_by_its_api_name() -> None:
    fields: dict[str, str | None] = {
        "firstname": "Ana",
        "email": "a@example.org",
        "phonenumber": "",
        "city": "Madrid",
        "country": None,
    }

    missing = missing_for_whmcs(fields, DEFAULT_NAMES)

    assert [p.field for p in missing] == ["phoneNumber", "address1", "state", "postcode", "country"]
    assert {p.message for p in missing} == {
        "is required by WHMCS to create a client (or set WHMCS_SKIP_VALIDATION=true)."
    }


def test_missing_for_whmcs_is_empty_when_everything_is_there() -> None:
    assert missing_for_whmcs(dict.fromkeys(REQUIRED_BY_WHMCS, "x"), DEFAULT_NAMES) == []


def test_missing_for_whmcs_uses_the_mapped_local_name() -> None:
    names = {**DEFAULT_NAMES, "address1": "address2"}  # WHMCS address1 fed by local address2

    missing = missing_for_whmcs({}, names)

    assert [p.field for p in missing] == [
        "phoneNumber",
        "address2",
        "city",
        "state",
        "postcode",
        "country",
    ]


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("You did not enter your first name", "firstname"),
        ("You did not enter your last name", "lastname"),
        ("You did not enter your email address", "email"),
        ("The email address you entered was not valid", "email"),
        ("The email address entered is not valid", "email"),
        ("A client already exists with that email address", "email"),
        ("A user already exists with that email address", "email"),
        ("Duplicate Email Address", "email"),
        ("You did not enter your  address line 1", "address1"),  # WHMCS's double space
        ("You did not enter your city", "city"),
        ("You did not enter your state", "state"),
        ("You did not enter your postcode", "postcode"),
        ("Valid country required", "country"),
        ("You did not enter your phone number", "phonenumber"),
        ("Invalid telephone phone number", "phonenumber"),
        ("YOU DID NOT ENTER YOUR\tCITY", "city"),
    ],
)
def test_whmcs_message_field_knows_the_whmcs_messages(message: str, field: str) -> None:
    assert whmcs_message_field(message) == field


@pytest.mark.parametrize(
    "message",
    [None, "", "Invalid Owner User ID", "You did not enter a password", "Client Not Found"],
)
def test_whmcs_message_field_is_none_for_other_messages(message: str | None) -> None:
    assert whmcs_message_field(message) is None


@pytest.mark.parametrize("phone", ["1-555", "(--) ..", "+1 2 3"])
def test_a_phone_number_needs_five_digits(phone: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_client_fields(
            {"first_name": "A", "last_name": "B", "email": "a@b.co", "phone_number": phone}
        )

    assert [p.field for p in caught.value.problems] == ["phoneNumber"]
