"""Records to JSON and back, exactly: for caches and anything else that stores them as text.

``to_json`` writes a record as plain JSON values: Decimals as their exact text ("12.950" stays
"12.950"), dates and date-times in ISO form, tuples as lists. ``from_json(cls, data)`` rebuilds
the record from its type hints, nested records and ``WhmcsPage[...]`` included, so every record
kind needs no codec of its own.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar, cast

__all__ = ["from_json", "to_json"]

T = TypeVar("T")


def to_json(value: Any) -> Any:
    """``value`` (a record, or what a record holds) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # also datetime
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    return value


def from_json(cls: type[T] | Any, data: Any) -> T:
    """The ``cls`` record (e.g. ``WhmcsInvoiceDetail`` or ``WhmcsPage[WhmcsService]``) that
    :func:`to_json` wrote as ``data``."""
    target: Any = cls
    return cast(T, _decoder(target, ())(data))


Decoder = Callable[[Any], Any]
Bound = tuple[tuple[Any, Any], ...]  # TypeVar -> its type, hashable


@functools.cache
def _decoder(hint: Any, bound: Bound) -> Decoder:
    """How to read ``hint`` from JSON: worked out once per type (reading the hints of a record
    class costs tens of microseconds, milliseconds for a page), then only the reading is left."""
    if isinstance(hint, TypeVar):
        return _decoder(dict(bound)[hint], bound)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):  # X | None
        (inner,) = (arg for arg in args if arg is not type(None))
        read_inner = _decoder(inner, bound)
        return lambda data: None if data is None else read_inner(data)
    if origin is tuple:
        read_item = _decoder(args[0], bound)
        return lambda data: tuple(read_item(item) for item in data)
    record: Any = origin or hint
    if isinstance(record, type) and dataclasses.is_dataclass(record):
        params = getattr(record, "__parameters__", ())
        scope = {**dict(bound), **dict(zip(params, args, strict=False))} if args else dict(bound)
        hints = typing.get_type_hints(record)
        inner_bound = tuple(scope.items())
        fields = tuple(
            (f.name, _decoder(hints[f.name], inner_bound)) for f in dataclasses.fields(record)
        )
        return lambda data: record(**{name: read(data[name]) for name, read in fields})
    if hint is Decimal:
        return Decimal
    if hint is datetime:
        return datetime.fromisoformat
    if hint is date:
        return date.fromisoformat
    return _same


def _same(data: Any) -> Any:
    return data
