"""Argument parsing shared by every module: ids, page bounds, search text, length limits."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from integrations.whmcs.sync.errors import InvalidInput, RecordNotFound
from integrations.whmcs.sync.store import LocalId, LocalStore
from models import EntityType

MAX_PAGE = 100
#: A search is matched against names, company names and e-mail addresses: none is longer than
#: an e-mail address (254). Longer text finds nothing, and became a WHMCS request, a cache key
#: and an audit row, or a LIKE pattern SQLite refused as too complex.
MAX_SEARCH = 254
#: An id argument: stored ids have at most 19 digits; past this an id is refused, not looked up
#: (a not-found message that echoed it went into the audit log whole).
MAX_ID_LENGTH = 64
#: A correlation id is stored in 36 characters (a UUID's length).
MAX_CORRELATION_ID = 36


def given_fields(value: Any) -> dict[str, Any]:
    """The fields of an input object that the client sent (UNSET ones left out)."""
    return {
        name: getattr(value, name)
        for name in value.__dataclass_fields__
        if getattr(value, name) is not strawberry.UNSET
    }


def unset_to_none(value: Any) -> Any:
    """Arguments without a default arrive as UNSET when not sent: the same as null here."""
    return None if value is strawberry.UNSET else value


def text_bound(name: str | None, value: str | None, max_length: int) -> str | None:
    """``value`` when it is at most ``max_length`` characters (or None); BAD_USER_INPUT else.
    ``name`` is the argument's (None: an id, whichever argument it came in)."""
    if value is not None and len(value) > max_length:
        extensions = {"code": "BAD_USER_INPUT"} | ({"argument": name} if name else {})
        raise GraphQLError(
            f"{name or 'An id'} must be at most {max_length} characters, got {len(value)}.",
            extensions=extensions,
        )
    return value


def search_text(value: str | None) -> str | None:
    """A search argument: at most MAX_SEARCH characters; blank or UNSET is no search."""
    text = text_bound("search", unset_to_none(value), MAX_SEARCH)
    return (text or "").strip() or None


def page_bounds(offset: int, limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise GraphQLError(
            f"limit must be between 1 and {MAX_PAGE}, got {limit}.",
            extensions={"code": "BAD_USER_INPUT"},
        )
    if offset < 0:
        raise GraphQLError(
            f"offset must be 0 or more, got {offset}.", extensions={"code": "BAD_USER_INPUT"}
        )


#: The widest `days` window of syncLogs: 100 years (a wider one overflowed the date arithmetic).
MAX_DAYS = 36_500


def days_bound(days: int | None) -> int | None:
    """``days`` when it is within 0 to MAX_DAYS (or None); a BAD_USER_INPUT error otherwise."""
    if days is not None and not 0 <= days <= MAX_DAYS:
        raise GraphQLError(
            f"days must be between 0 and {MAX_DAYS}, got {days}.",
            extensions={"code": "BAD_USER_INPUT"},
        )
    return days


def local_id(
    value: strawberry.ID,
    entity_type: EntityType = EntityType.CLIENT,
    *,
    store: LocalStore | None = None,
) -> LocalId:
    """A local id as stored; an id that cannot exist is simply not found. A client's id is the
    local store's (`store.parse_id`: an application's table may have text or bigint ids)."""
    if store is not None and entity_type == EntityType.CLIENT:
        text = (text_bound(None, str(value), MAX_ID_LENGTH) or "").strip()
        try:
            return store.parse_id(text)
        except InvalidInput:
            raise RecordNotFound(entity_type, str(value), "LOCAL") from None
    parsed = parse_id(value)
    if parsed is None:
        raise RecordNotFound(entity_type, str(value), "LOCAL")
    return parsed


def whmcs_id(value: strawberry.ID, entity_type: EntityType = EntityType.CLIENT) -> int:
    parsed = parse_id(value)
    if parsed is None:
        raise RecordNotFound(entity_type, str(value), "WHMCS")
    return parsed


def parse_id(value: object) -> int | None:
    """A stored id (a positive 32-bit integer), or None for text that cannot be one; text
    longer than MAX_ID_LENGTH is refused (BAD_USER_INPUT)."""
    text = text_bound(None, str(value), MAX_ID_LENGTH) or ""
    text = text.strip()
    # isascii: str.isdigit() also holds for "²", which int() refuses.
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None


def storable(text: str | None) -> bool:
    """Whether a column could hold ``text``: none holds NUL (PostgreSQL refuses it in a query,
    an internal error)."""
    return text is None or "\x00" not in text
