"""Redaction of credentials, passwords and payment data."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from integrations.whmcs.redact import REDACTED, is_sensitive_key, redact, redact_text


@pytest.mark.parametrize(
    "key",
    [
        "identifier", "secret", "username", "password", "password2", "accesskey", "access_key",
        "api_key", "token", "Password", "PASSWORD2", "passwordhash", "new_password",
        "client_secret",
        "cardnum", "cardnumber", "cardtype", "cccvv", "cvv", "cardcvv", "cardexp", "expdate",
        "startdate", "issuenumber", "cardlastfour", "bankacct", "bankcode", "bankname",
        "banktype", "iban", "bic", "securityqans", "Access-Key",
    ],
)  # fmt: skip
def test_sensitive_keys(key: str) -> None:
    assert is_sensitive_key(key)


@pytest.mark.parametrize(
    "key", ["email", "firstname", "clientid", "action", "status", "id", "companyname", "city"]
)
def test_ordinary_keys(key: str) -> None:
    assert not is_sensitive_key(key)


def test_redact_copies_recursively() -> None:
    data: dict[str, Any] = {
        "result": "success",
        "password": "p",
        "products": {"product": [{"id": "1", "username": "u", "Password": "svc"}]},
        "pairs": ("a", {"secret": "s"}),
        "stats": MappingProxyType({"cvv": "123", "numtickets": 0}),
        "securityqans": "",
        "cardnum": None,
    }

    out = redact(data)

    assert out == {
        "result": "success",
        "password": REDACTED,
        "products": {"product": [{"id": "1", "username": REDACTED, "Password": REDACTED}]},
        "pairs": ["a", {"secret": REDACTED}],
        "stats": {"cvv": REDACTED, "numtickets": 0},
        "securityqans": "",  # empty reveals nothing
        "cardnum": None,
    }
    assert data["password"] == "p"  # the input is untouched
    assert data["products"]["product"][0]["Password"] == "svc"


def test_redact_replaces_whole_nested_values_of_sensitive_keys() -> None:
    assert redact({"password": {"old": "a", "new": "b"}}) == {"password": REDACTED}


def test_redact_leaves_scalars() -> None:
    assert redact("password") == "password"
    assert redact(3) == 3
    assert redact(None) is None


def test_redact_text_replaces_secrets_also_url_encoded() -> None:
    secret = "ab+c/d=e&f"
    text = f"raw={secret} form=ab%2Bc%2Fd%3De%26f path=ab%2Bc%2Fd%3De%26f other=ok"

    out = redact_text(text, [secret, "", "ok"])

    assert out == f"raw={REDACTED} form={REDACTED} path={REDACTED} other={REDACTED}"


def test_redact_text_prefers_the_longest_secret() -> None:
    assert redact_text("xx-abcdef-xx", ["abc", "abcdef"]) == f"xx-{REDACTED}-xx"
