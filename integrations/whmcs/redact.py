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
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "REDACTED",
    "is_sensitive_key",
    "redact",
    "redact_text",
    "redact_twice",
    "sensitive_values",
]

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


def redact(
    data: Any,
    secrets: Iterable[str] = (),
    *,
    text: Callable[[str], str] | None = None,
    scalar: Callable[[Any], Any] | None = None,
) -> Any:
    """A copy of ``data`` with the values of sensitive keys replaced by :data:`REDACTED`, and
    every occurrence of one of ``secrets`` (also URL-encoded) in any string replaced too.

    Mappings become dicts and lists/tuples become lists, recursively. ``None`` and ``""``
    stay as they are (an empty value reveals nothing and shows the field was empty).

    In the same walk (one pass over a whole WHMCS answer instead of two): ``text`` is applied to
    every string, keys included, before it is judged; ``scalar`` to every value that is neither
    a string nor a container, after (e.g. a Decimal written as its text, which is then not
    searched for secrets, as if converted after redaction).
    """
    variants = _variants(s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
    return _Walk(variants, text, scalar).of(data)


class _Walk:
    """The walk of `redact`, with its ``text`` and ``scalar`` steps (identity when not given)."""

    def __init__(
        self,
        variants: tuple[str, ...],
        text: Callable[[str], str] | None,
        scalar: Callable[[Any], Any] | None,
    ) -> None:
        self.variants = variants
        self.text = text or _same
        self.scalar = scalar or _same

    def of(self, data: Any) -> Any:
        # Strings and dicts first: most of a WHMCS answer; Mapping's isinstance check is slow.
        if isinstance(data, str):
            data = self.text(data)
            return _replace(data, self.variants) if self.variants else data
        if isinstance(data, dict | Mapping):
            text = self.text
            out = {}
            for key, value in data.items():
                if isinstance(key, str):
                    key = text(key)
                    if is_sensitive_key(key):
                        value = value if not isinstance(value, str) else text(value)
                        out[key] = REDACTED if value not in (None, "") else value
                        continue
                out[key] = self.of(value)
            return out
        if isinstance(data, list | tuple):
            return [self.of(item) for item in data]
        return self.scalar(data)


def _same(value: Any) -> Any:
    return value


def redact_twice(
    data: Any,
    first: Iterable[str],
    then: Iterable[str],
    *,
    scalar: Callable[[Any], Any],
    text: Callable[[str], str],
) -> Any:
    """What ``redact(redact(data, first, scalar=scalar), then, text=text)`` gives, in one walk
    (a WHMCS answer as the client records it, then as the audit stores it): one copy of the
    answer instead of two. Each node goes through the first step, then the second, in that order
    (a sensitive key, rare, takes both steps in full)."""
    first_variants = _variants(s for s in first if len(s) >= MIN_SECRET_LENGTH)
    then_variants = _variants(s for s in then if len(s) >= MIN_SECRET_LENGTH)
    return _Twice(_Walk(first_variants, None, scalar), _Walk(then_variants, text, None), text).of(
        data
    )


class _Twice:
    """`redact_twice`'s walk: ``one`` then ``two`` applied to each node. Strings, most of an
    answer, are handled in the loop over their container (no call per value)."""

    def __init__(self, one: _Walk, two: _Walk, text: Callable[[str], str]) -> None:
        self.one, self.two, self.text = one, two, text
        self.first, self.then = one.variants, two.variants
        # Per key (of this walk only): its stored form and whether it is sensitive.
        self.keys: dict[str, tuple[str, bool]] = {}

    def string(self, data: str) -> str:
        for variant in self.first:
            if variant in data:
                data = data.replace(variant, REDACTED)
        data = self.text(data)
        for variant in self.then:
            if variant in data:
                data = data.replace(variant, REDACTED)
        return data

    def of(self, data: Any) -> Any:
        if isinstance(data, str):
            return self.string(data)
        if isinstance(data, dict | Mapping):
            text, first, then, keys, out = self.text, self.first, self.then, self.keys, {}
            for key, value in data.items():
                if not isinstance(key, str):
                    out[key] = self.of(value)
                    continue
                known = keys.get(key)
                if known is None:  # an answer repeats its few dozen keys on every row
                    stored = text(key)
                    sensitive = is_sensitive_key(key) or (
                        stored != key and is_sensitive_key(stored)
                    )
                    known = keys[key] = (stored, sensitive)
                stored, sensitive = known
                if sensitive:
                    # Both steps in full, as two walks would take them.
                    out.update(self.two.of({key: self.one.of({key: value})[key]}))
                elif value.__class__ is str:
                    for variant in first:
                        if variant in value:
                            value = value.replace(variant, REDACTED)
                    value = text(value)
                    for variant in then:
                        if variant in value:
                            value = value.replace(variant, REDACTED)
                    out[stored] = value
                else:
                    out[stored] = self.of(value)
            return out
        if isinstance(data, list | tuple):
            return [self.of(item) for item in data]
        return self.two.of(self.one.scalar(data))


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
