"""The client's input types: one field list, the required ones overridden for a create."""

from __future__ import annotations

import strawberry


@strawberry.input(
    description="Only the fields given change; an explicit null clears an optional field."
)
class ClientPatch:
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    company_name: str | None = strawberry.UNSET
    phone_number: str | None = strawberry.UNSET
    address1: str | None = strawberry.UNSET
    address2: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    state: str | None = strawberry.UNSET
    postcode: str | None = strawberry.UNSET
    country: str | None = strawberry.UNSET


@strawberry.input
class ClientInput(ClientPatch):
    # ClientPatch's fields in ClientPatch's order (an overridden field keeps its place); a new
    # client needs these three, the others stay optional.
    first_name: str
    last_name: str
    email: str
