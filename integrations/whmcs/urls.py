"""URLs in configuration: parsed without raising, shown without their credentials.

Configuration URLs carry passwords (DATABASE_URL, REDIS_URL), or must not (WHMCS_API_URL): an
error message or a repr may show a URL, never the user-info somebody put in it. These work on
the text itself, so a URL too broken for urlsplit is masked all the same.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, unquote, urlsplit


def split_url(raw: str) -> SplitResult | None:
    """The parts of a URL, or None when it cannot be one (a bad port, a broken IPv6 host)."""
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018  (raises ValueError for a port that is no number or too big)
    except ValueError:
        return None
    return parts


_AUTHORITY = re.compile(r"^(?P<scheme>[^:/?#]*:)?//(?P<authority>[^/?#]*)")


def _userinfo(url: str) -> tuple[str, str, str, str] | None:
    """(scheme with its colon, user-info, host and port, the rest) of a URL with user-info."""
    match = _AUTHORITY.match(url)
    if match is None or "@" not in match["authority"]:
        return None
    userinfo, _, host = match["authority"].rpartition("@")  # a stray '@' belongs to user-info
    return match["scheme"] or "", userinfo, host, url[match.end() :]


def without_userinfo(url: str) -> str:
    """`url` with whatever precedes an '@' in its authority (a user name, a password) masked:
    an error message may show a URL, never the credentials somebody put in it."""
    parts = _userinfo(url)
    if parts is None:
        return url
    scheme, _, host, rest = parts
    return f"{scheme}//[REDACTED]@{host}{rest}"


def password_of(url: str) -> str:
    """The password in `url`'s user-info (decoded), or ""."""
    parts = _userinfo(url)
    return unquote(parts[1].partition(":")[2]) if parts else ""


def masked_url(url: str) -> str:
    """`url` with its password masked (the user name stays: it says which account is used)."""
    parts = _userinfo(url)
    if parts is None:
        return url
    scheme, userinfo, host, rest = parts
    user, colon, _ = userinfo.partition(":")
    return f"{scheme}//{user}{':[REDACTED]' if colon else ''}@{host}{rest}"
