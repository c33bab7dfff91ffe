"""One page of a WHMCS list action, whatever it lists."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from integrations.whmcs.normalise import as_int, as_list

__all__ = ["WhmcsPage", "parse_page"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class WhmcsPage(Generic[T]):
    """The records of one page, the number of matches in all and the offset of the first."""

    items: tuple[T, ...]
    total: int
    offset: int


def parse_page(
    body: Mapping[str, Any],
    container: str,
    singular: str,
    parse_row: Callable[[Mapping[str, Any]], T],
    *,
    offset: int,
) -> WhmcsPage[T]:
    """The page in a list answer, e.g. ``parse_page(body, "products", "product", ...)``.

    ``totalresults`` and ``startnumber`` may be ints or numeric strings (both are seen in one
    answer); a missing ``startnumber`` is the ``offset`` asked for.
    """
    rows = as_list(body.get(container), singular, container)
    return WhmcsPage(
        items=tuple(parse_row(row) for row in rows),
        total=as_int(body.get("totalresults"), "totalresults"),
        offset=as_int(body.get("startnumber", offset), "startnumber"),
    )
