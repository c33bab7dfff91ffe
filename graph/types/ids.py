"""Stored ids as GraphQL IDs."""

from __future__ import annotations

import strawberry


def as_id(value: int | str) -> strawberry.ID:
    return strawberry.ID(str(value))


def as_opt_id(value: int | str | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))
