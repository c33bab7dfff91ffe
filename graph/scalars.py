"""The Decimal scalar of the modules contract: exact, a string on the wire, never a float."""

from __future__ import annotations

import decimal

import strawberry
from graphql import GraphQLError

__all__ = ["DECIMAL", "SCALAR_OVERRIDES"]


def _serialize(value: object) -> str:
    if not isinstance(value, decimal.Decimal) or not value.is_finite():
        raise GraphQLError(f"Decimal cannot represent {value!r}")
    # "f": positional notation, every digit kept (12.950 stays "12.950", never "1.295E+1").
    return format(value, "f")


def _parse(value: object) -> decimal.Decimal:
    # Only text: a JSON number would already have been a float on the way in.
    if not isinstance(value, str):
        raise GraphQLError('A Decimal is written as a string, e.g. "12.95".')
    try:
        parsed = decimal.Decimal(value.strip())
    except decimal.InvalidOperation:
        raise GraphQLError(f"Not a decimal number: {value[:40]!r}.") from None
    if not parsed.is_finite():
        raise GraphQLError(f"Not a decimal number: {value[:40]!r}.")
    return parsed


DECIMAL = strawberry.scalar(
    name="Decimal",
    description='An exact decimal number, written as a string on the wire (e.g. "12.95"). '
    "Money is never a float.",
    serialize=_serialize,
    parse_value=_parse,
)

#: For the schema: every ``decimal.Decimal`` field is this scalar.
SCALAR_OVERRIDES: dict[object, object] = {decimal.Decimal: DECIMAL}
