"""How PHP (and so WHMCS) reads form values: everything arrives as a string."""

from __future__ import annotations

import re

_LEADING_INT = re.compile(r"\s*([+-]?\d+)")


def php_truthy(value: str | None) -> bool:
    """PHP's boolean cast: only ``""`` and ``"0"`` are false, so ``"false"`` is TRUE.

    WHMCS reads flags such as ``noemail`` and ``skipvalidation`` this way: send
    ``true``/``1`` for yes and leave the field out (or send ``0``) for no.
    """
    return value not in (None, "", "0")


def php_int(value: str | None, default: int = 0) -> int:
    """PHP's ``(int)`` cast: leading digits count, anything else is ``default``."""
    if value is None:
        return default
    match = _LEADING_INT.match(value)
    return int(match.group(1)) if match else default
