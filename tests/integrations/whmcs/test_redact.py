"""Redaction of credentials, passwords and payment data."""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from integrations.whmcs.redact import (
    REDACTED,
    is_sensitive_key,
    redact,
    redact_text,
    redact_twice,
)


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


# redact_twice: the client's record of an answer and the audit's copy of it, in one walk.
_SECRETS = ("Secret-Cred-1", "pa ss/wörd", "s3cr3t")
_KEYS = st.sampled_from(
    ["id", "email", "password", "Pass\x00word", "c", "cvv", "na\x00me", "note", "token", "x"]
) | st.text(max_size=6)
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.sampled_from(["", "\x00", "Secret-Cred-1", "x pa%20ss%2Fw%C3%B6rd y", "s3cr3t\x00s3"])
    | st.text(max_size=12)
)
_ANSWERS = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_KEYS, inner, max_size=5)
        | st.tuples(inner, inner)
    ),
    max_leaves=25,
)


def _as_text(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _nul(text: str) -> str:
    return text.replace("\x00", "\ufffd")


@settings(max_examples=400, deadline=None)
@given(
    data=st.dictionaries(_KEYS, _ANSWERS, max_size=6),
    first=st.lists(st.sampled_from(_SECRETS), max_size=3),
    then=st.lists(st.sampled_from([*_SECRETS, "REDACTED", "1234567"]), max_size=3),
)
@example(data={"password": "x", "Pass\x00word": {"a": 1}}, first=[], then=["REDACTED"])
@example(data={"n": Decimal("1234567.5")}, first=["1234567"], then=["1234567"])
def test_redact_twice_is_the_two_walks_in_one(
    data: dict[str, Any], first: list[str], then: list[str]
) -> None:
    two_walks = redact(redact(data, first, scalar=_as_text), then, text=_nul)
    assert redact_twice(data, first, then, scalar=_as_text, text=_nul) == two_walks
