"""WHMCS's input checks and their exact messages (typos and double spaces included)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .countries import is_country_code
from .php import php_int, php_truthy

if TYPE_CHECKING:
    from .records import ClientRecord
    from .state import SandboxState

INVALID_OWNER = "Invalid Owner User ID"
NO_FIRSTNAME = "You did not enter your first name"
NO_LASTNAME = "You did not enter your last name"
NO_EMAIL = "You did not enter your email address"
BAD_EMAIL = "The email address you entered was not valid"
NO_ADDRESS1 = "You did not enter your  address line 1"  # two spaces: WHMCS's own text
NO_CITY = "You did not enter your city"
NO_STATE = "You did not enter your state"
NO_POSTCODE = "You did not enter your postcode"
BAD_COUNTRY = "Valid country required"
NO_PHONE = "You did not enter your phone number"
BAD_PHONE = "Invalid telephone phone number"
CLIENT_EXISTS = "A client already exists with that email address"
USER_EXISTS = "A user already exists with that email address"
NO_PASSWORD = "You did not enter a password"  # AddUser's wording; AddClient lists none
# UpdateClient speaks differently from AddClient about the same problems.
DUPLICATE_EMAIL = "Duplicate Email Address"
BAD_EMAIL_UPDATE = "The email address entered is not valid"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE_CHARS = re.compile(r"^[0-9+().\s-]+$")

# AddClient's required fields in the order WHMCS reports them (first failure wins).
_REQUIRED_ADDRESS = (
    ("address1", NO_ADDRESS1),
    ("city", NO_CITY),
    ("state", NO_STATE),
    ("postcode", NO_POSTCODE),
)


def is_valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def is_valid_phone(value: str) -> bool:
    return bool(_PHONE_CHARS.match(value)) and any(ch.isdigit() for ch in value)


def check_add_client(state: SandboxState, params: Mapping[str, str]) -> str | None:
    """The first AddClient error message, or ``None`` when the client may be created.

    ``skipvalidation`` skips the required-field checks except ``email`` and, when a new
    user is created, ``password2``; duplicates are still refused.
    """
    skip = php_truthy(params.get("skipvalidation"))
    owner_given = params.get("owner_user_id", "") != ""
    if owner_given and php_int(params["owner_user_id"]) not in state.users:
        return INVALID_OWNER

    def value(name: str) -> str:
        return params.get(name, "").strip()

    if not skip:
        if not value("firstname"):
            return NO_FIRSTNAME
        if not value("lastname"):
            return NO_LASTNAME
    email = value("email")
    if not email:
        return NO_EMAIL
    if not is_valid_email(email):
        return BAD_EMAIL
    if not skip:
        for name, message in _REQUIRED_ADDRESS:
            if not value(name):
                return message
        if not is_country_code(value("country")):
            return BAD_COUNTRY
        if not value("phonenumber"):
            return NO_PHONE
        if not is_valid_phone(value("phonenumber")):
            return BAD_PHONE
    # A client with the e-mail is the client-level duplicate, whoever owns it; only a login
    # user with the e-mail and no such client is the user-level one (8.x splits the two).
    if state.client_by_email(email) is not None:
        return CLIENT_EXISTS
    if not owner_given and state.user_by_email(email) is not None:
        return USER_EXISTS
    if not owner_given and not params.get("password2", ""):
        return NO_PASSWORD
    return None


def check_update_client(
    state: SandboxState, client: ClientRecord, params: Mapping[str, str]
) -> str | None:
    """The first UpdateClient error for the fields given, or ``None``."""
    if "email" in params:
        email = params["email"].strip()
        if not is_valid_email(email):
            return BAD_EMAIL_UPDATE
        other = state.client_by_email(email)
        if other is not None and other.id != client.id:
            return DUPLICATE_EMAIL
    if "country" in params and not is_country_code(params["country"].strip()):
        return BAD_COUNTRY
    return None
