"""Remove credentials, passwords and payment data before anything is logged or stored.

``redact`` works on parsed data: the key decides (a sensitive key's value is replaced), and so
does the value (a known secret is replaced in any string, under any key: WHMCS may echo a
password back inside a message). ``redact_text`` works on free text (known secret values
decide). ``sensitive_values`` names the values a request carried under sensitive keys, so they
can be redacted wherever else they turn up. All return copies and never touch their input.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "is_sensitive_key", "redact", "redact_text", "sensitive_values"]

REDACTED = "[REDACTED]"
# A secret value shorter than this is redacted by its key only: replacing a short string
# everywhere would wreck ordinary text, and so short a value guards nothing.
MIN_SECRET_LENGTH = 6

# Compared after lower-casing and dropping everything but letters and digits,
# so "access_key", "Access-Key" and "accesskey" are one key.
_SENSITIVE_KEYS = frozenset(
    {
        # API credentials
        "identifier",
        "secret",
        "username",
        "password",
        "password2",
        "accesskey",
        "apikey",
        "token",
        "passwordhash",
        "authorization",
        # cards (WHMCS < 7.8 returned and accepted these)
        "cardnum",
        "cardnumber",
        "cardtype",
        "cccvv",
        "cvv",
        "cvv2",
        "cardcvv",
        "cardexp",
        "expdate",
        "startdate",
        "issuenumber",
        "cardlastfour",
        "cardstart",
        "cardissuenum",
        "gatewayid",
        "remotetoken",
        # bank accounts
        "bankacct",
        "bankaccount",
        "bankacctnumber",
        "bankcode",
        "bankname",
        "banktype",
        "iban",
        "bic",
        "swift",
        "sortcode",
        "routingnumber",
        "accountnumber",
        # security question answers (WHMCS 7.x GetClientsDetails)
        "securityqans",
        # module records: a ticket's access key (GetTicket(s) "c": it opens the ticket without
        # a login) and a new service's root password (AddOrder); service passwords are "password"
        "c",
        "rootpw",
    }
)
_SENSITIVE_FRAGMENTS = ("password", "secret")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


@functools.lru_cache(maxsize=4096)
def is_sensitive_key(key: str) -> bool:
    """Whether the value stored under ``key`` must never be logged or stored.

    Remembered per key: an answer repeats the same few dozen keys on every row (a page of 25
    invoices asks ~1,400 times), and the check is pure. Bounded, so odd keys cannot grow it."""
    folded = _NOT_ALNUM.sub("", key.lower())
    return folded in _SENSITIVE_KEYS or any(part in folded for part in _SENSITIVE_FRAGMENTS)


def redact(data: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of ``data`` with the values of sensitive keys replaced by :data:`REDACTED`, and
    every occurrence of one of ``secrets`` (also URL-encoded) in any string replaced too.

    Mappings become dicts and lists/tuples become lists, recursively. ``None`` and ``""``
    stay as they are (an empty value reveals nothing and shows the field was empty).
    """
    return _redact(data, _variants(s for s in secrets if len(s) >= MIN_SECRET_LENGTH))


def _redact(data: Any, variants: tuple[str, ...]) -> Any:
    if isinstance(data, Mapping):
        return {
            key: (
                REDACTED
                if isinstance(key, str) and is_sensitive_key(key) and value not in (None, "")
                else _redact(value, variants)
            )
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [_redact(item, variants) for item in data]
    if isinstance(data, str) and variants:
        return _replace(data, variants)
    return data


def sensitive_values(data: Any) -> tuple[str, ...]:
    """The text held under sensitive keys anywhere in ``data`` (e.g. the ``password2`` sent)."""
    found: list[str] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            if isinstance(key, str) and is_sensitive_key(key) and isinstance(value, str | int):
                found.append(str(value))
            else:
                found.extend(sensitive_values(value))
    elif isinstance(data, list | tuple):
        for item in data:
            found.extend(sensitive_values(item))
    return tuple(v for v in found if len(v) >= MIN_SECRET_LENGTH)


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret (also URL-encoded) replaced."""
    return _replace(text, _variants(secrets))


def _variants(secrets: Iterable[str]) -> tuple[str, ...]:
    """Each secret as it may appear: plain and URL-encoded; longest first, so a secret that
    contains another is replaced whole."""
    forms = {
        form
        for secret in secrets
        if secret
        for form in (secret, quote(secret, safe=""), quote_plus(secret, safe=""))
    }
    return tuple(sorted(forms, key=len, reverse=True))


def _replace(text: str, variants: tuple[str, ...]) -> str:
    for variant in variants:
        if variant in text:
            text = text.replace(variant, REDACTED)
    return text
