"""Remove credentials, passwords and payment data before anything is logged or stored.

``redact`` works on parsed data (keys decide), ``redact_text`` on free text (known secret values
decide). Both return copies and never touch their input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "is_sensitive_key", "redact", "redact_text"]

REDACTED = "[REDACTED]"

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


def is_sensitive_key(key: str) -> bool:
    """Whether the value stored under ``key`` must never be logged or stored."""
    folded = _NOT_ALNUM.sub("", key.lower())
    return folded in _SENSITIVE_KEYS or any(part in folded for part in _SENSITIVE_FRAGMENTS)


def redact(data: Any) -> Any:
    """A copy of ``data`` with the values of sensitive keys replaced by :data:`REDACTED`.

    Mappings become dicts and lists/tuples become lists, recursively. ``None`` and ``""``
    stay as they are (an empty value reveals nothing and shows the field was empty).
    """
    if isinstance(data, Mapping):
        return {
            key: (
                REDACTED
                if isinstance(key, str) and is_sensitive_key(key) and value not in (None, "")
                else redact(value)
            )
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [redact(item) for item in data]
    return data


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret (also URL-encoded) replaced."""
    variants = {
        form
        for secret in secrets
        if secret
        for form in (secret, quote(secret, safe=""), quote_plus(secret, safe=""))
    }
    # Longest first, so a secret containing another is replaced whole.
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, REDACTED)
    return text
