"""Coerce WHMCS's loosely typed JSON into Python values.

This is the only module that knows WHMCS's shape quirks (whmcs-api.md section 5): ids and counts
as ints *or* numeric strings, booleans in six spellings, MySQL zero dates for "no date", money
as fixed-point strings, ``0`` for "no related record", and lists that may arrive as ``""``,
``{}``, a wrapper object, a single object or a numeric-keyed object. Anything else raises
:class:`WhmcsShapeError`; resources turn that into ``WhmcsProtocolError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

__all__ = [
    "WhmcsShapeError",
    "as_bool",
    "as_date",
    "as_datetime",
    "as_decimal",
    "as_int",
    "as_list",
    "as_opt_decimal",
    "as_opt_str",
    "as_ref",
    "as_str",
]

_PREVIEW_CHARS = 60
_INT_RE = re.compile(r"-?\d+")
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?")
_DATETIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?", re.ASCII)
# Fixed-point text as MySQL DECIMAL columns print it: no exponent, no thousands separator, no
# currency (formatted amounts such as "$5.95 USD" are display strings, not money).
_DECIMAL_RE = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)
_ZERO_DATES = frozenset({"0000-00-00", "0000-00-00 00:00:00"})
_TRUE_STRINGS = frozenset({"1", "true", "on", "yes"})
_FALSE_STRINGS = frozenset({"", "0", "false", "off", "no"})


class WhmcsShapeError(ValueError):
    """A WHMCS value does not have any of the shapes WHMCS is known to send."""

    def __init__(self, field: str, expected: str, value: object) -> None:
        preview = repr(value)
        if len(preview) > _PREVIEW_CHARS:
            preview = preview[: _PREVIEW_CHARS - 1] + "…"
        super().__init__(f"{field}: expected {expected}, got {preview}")
        self.field = field


def as_int(value: object, field: str = "value") -> int:
    """An int from an int or a numeric string (``"42"``); bools and anything else fail."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        try:
            return int(value.strip())
        except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
            pass
    raise WhmcsShapeError(field, "an integer", value)


def as_str(value: object, field: str = "value") -> str:
    """A required string; numbers are accepted and turned into text (a Decimal keeps its digits)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    raise WhmcsShapeError(field, "a string", value)


def as_opt_str(value: object, field: str = "value") -> str | None:
    """A string, or None for a missing or empty value (WHMCS sends ``""`` for "not set")."""
    if value is None or value == "":
        return None
    return as_str(value, field)


def as_date(value: object, field: str = "value") -> date | None:
    """A date from ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM:SS`` (the time is dropped).

    None, ``""`` and the MySQL zero dates (``0000-00-00``, ``0000-00-00 00:00:00``) mean "no
    date" and give None.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise WhmcsShapeError(field, "a date string", value)
    text = value.strip()
    if text == "" or text in _ZERO_DATES:
        return None
    match = _DATE_RE.fullmatch(text)
    if match is None:
        raise WhmcsShapeError(field, "a YYYY-MM-DD date", value)
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise WhmcsShapeError(field, "a valid calendar date", value) from None


def as_datetime(value: object, field: str = "value") -> datetime | None:
    """A naive datetime (WHMCS server time) from ``YYYY-MM-DD HH:MM[:SS]`` or ``YYYY-MM-DD``.

    None, ``""`` and the MySQL zero dates give None, as in :func:`as_date`. A date alone is
    midnight.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise WhmcsShapeError(field, "a date-time string", value)
    text = value.strip()
    if text == "" or text in _ZERO_DATES:
        return None
    match = _DATETIME_RE.fullmatch(text)
    if match is None:
        raise WhmcsShapeError(field, "a YYYY-MM-DD HH:MM:SS date-time", value)
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    try:
        # Naive on purpose: WHMCS stores server-local time without a zone.
        return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001
    except ValueError:
        raise WhmcsShapeError(field, "a valid date-time", value) from None


def as_decimal(value: object, field: str = "value") -> Decimal:
    """Money or a rate, exactly: from fixed-point text (``"15.95"``), an int or a Decimal.

    Floats are refused: the transport parses JSON numbers with a fraction as Decimal, so a
    float here means a value that was already rounded. Formatted amounts (``"$5.95 USD"``) and
    ``""`` are refused too (see :func:`as_opt_decimal`).
    """
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str) and _DECIMAL_RE.fullmatch(value.strip()):
        return Decimal(value.strip())
    raise WhmcsShapeError(field, "a decimal amount", value)


def as_opt_decimal(value: object, field: str = "value") -> Decimal | None:
    """Like :func:`as_decimal`, but None or ``""`` (not set) give None."""
    if value is None or value == "":
        return None
    return as_decimal(value, field)


def as_ref(value: object, field: str = "value") -> int | None:
    """The id of a related record, or None: WHMCS writes "none" as ``0``, ``"0"`` or ``""``."""
    if value is None or value == "":
        return None
    ref = as_int(value, field)
    if ref < 0:
        raise WhmcsShapeError(field, "an id or 0", value)
    return ref or None


def as_bool(value: object, field: str = "value") -> bool:
    """A bool from ``true``/``false``, ``0``/``1``, ``"0"``/``"1"``, ``""``, ``"on"`` or None."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in _TRUE_STRINGS:
            return True
        if folded in _FALSE_STRINGS:
            return False
    raise WhmcsShapeError(field, "a boolean", value)


def _is_numeric_keyed(obj: Mapping[Any, Any]) -> bool:
    # ASCII only: PHP writes array keys as 0-9, and str.isdigit() also holds for "²", which
    # int() refuses.
    return bool(obj) and all(isinstance(k, str) and k.isascii() and k.isdigit() for k in obj)


def _items(value: object, field: str) -> list[Mapping[str, Any]]:
    """The list inside a wrapper: a list, one object, or a numeric-keyed object."""
    if value is None or value == "" or value == [] or value == {}:
        return []
    if isinstance(value, list):
        rows = value
    elif isinstance(value, Mapping):
        rows = [value[k] for k in sorted(value, key=int)] if _is_numeric_keyed(value) else [value]
    else:
        raise WhmcsShapeError(field, "a list of objects", value)
    for row in rows:
        if not isinstance(row, Mapping):
            raise WhmcsShapeError(field, "a list of objects", row)
    return rows


def as_list(container: object, singular: str, field: str | None = None) -> list[Mapping[str, Any]]:
    """The records of a WHMCS list, e.g. ``as_list(body.get("clients"), "client")``.

    ``""``, None (missing), ``{}`` and ``[]`` give ``[]``; ``{"client": [...]}`` is unwrapped;
    ``{"client": {...}}`` (one record) gives ``[{...}]``; a numeric-keyed object
    (``{"0": {...}, "1": {...}}``), wrapped or not, gives its values sorted by key; a bare list is
    taken as is. Anything else raises :class:`WhmcsShapeError`.
    """
    name = field or f"{singular}s"
    if isinstance(container, Mapping) and singular in container:
        return _items(container[singular], f"{name}.{singular}")
    if isinstance(container, Mapping) and container and not _is_numeric_keyed(container):
        # An object without the wrapper key: not a list WHMCS sends, and guessing would hide
        # a wrong ``singular``.
        raise WhmcsShapeError(name, f"a {{{singular!r}: [...]}} list", container)
    return _items(container, name)
