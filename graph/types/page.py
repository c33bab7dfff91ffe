"""One page type for every list: `Page[Client]` is exported as ClientPage, `Page[SyncLog]` as
SyncLogPage (strawberry names a generic by its item type, then the generic's name)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

import strawberry

T = TypeVar("T")
S = TypeVar("S")


@strawberry.type
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


def page_of(
    kind: type[T],
    rows: Iterable[S],
    convert: Callable[[S], T],
    *,
    total: int,
    offset: int,
    limit: int,
) -> Page[T]:
    """The page of `kind` whose items are `rows` converted (e.g. `Client.from_model`)."""
    return Page[kind](  # type: ignore[valid-type]
        items=[convert(row) for row in rows], total=total, offset=offset, limit=limit
    )


def empty_page(kind: type[T], *, offset: int, limit: int) -> Page[T]:
    """A page that matches nothing."""
    return Page[kind](items=[], total=0, offset=offset, limit=limit)  # type: ignore[valid-type]
