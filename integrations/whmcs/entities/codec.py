"""Records to JSON and back, exactly: for caches and anything else that stores them as text.

``to_json`` writes a record as plain JSON values: Decimals as their exact text ("12.950" stays
"12.950"), dates and date-times in ISO form, tuples as lists. ``from_json(cls, data)`` rebuilds
the record from its type hints, nested records and ``WhmcsPage[...]`` included, so every record
kind needs no codec of its own.
"""

from __future__ import annotations

import dataclasses
import types
import typing
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
    return cast(T, _read(cls, data, {}))


def _read(hint: Any, data: Any, bound: dict[Any, Any]) -> Any:
    if isinstance(hint, TypeVar):
        return _read(bound[hint], data, bound)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):  # X | None
        if data is None:
            return None
        (inner,) = (arg for arg in args if arg is not type(None))
        return _read(inner, data, bound)
    if origin is tuple:
        return tuple(_read(args[0], item, bound) for item in data)
    record: Any = origin or hint
    if isinstance(record, type) and dataclasses.is_dataclass(record):
        params = getattr(record, "__parameters__", ())
        scope = {**bound, **dict(zip(params, args, strict=False))} if args else bound
        hints = typing.get_type_hints(record)
        fields = dataclasses.fields(record)
        return record(**{f.name: _read(hints[f.name], data[f.name], scope) for f in fields})
    if hint is Decimal:
        return Decimal(data)
    if hint is datetime:
        return datetime.fromisoformat(data)
    if hint is date:
        return date.fromisoformat(data)
    return data
