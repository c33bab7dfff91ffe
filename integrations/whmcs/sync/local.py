"""Local clients: create, change, delete, list. No WHMCS here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

import models
from integrations.whmcs.sync.errors import FieldProblem, InvalidInput, RecordNotFound
from integrations.whmcs.sync.validation import clean_client_fields

CLIENT = models.EntityType.CLIENT
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


async def create_client(values: Mapping[str, str | None]) -> models.Client:
    cleaned = clean_client_fields(values)
    email = str(cleaned["email"])
    await _ensure_email_free(email, None)
    client = models.Client(**cleaned, email_key=email.lower())
    try:
        await client.save()
    except IntegrityError:
        raise _email_taken(email) from None
    return client


async def update_client(local_id: int, patch: Mapping[str, str | None]) -> models.Client:
    client = await models.Client.get_or_none(id=local_id)
    if client is None:
        raise RecordNotFound(CLIENT, local_id, "LOCAL")
    cleaned = clean_client_fields(patch, partial=True)
    if cleaned.get("email"):
        await _ensure_email_free(str(cleaned["email"]), local_id)
        client.email_key = str(cleaned["email"]).lower()
    for name, value in cleaned.items():
        setattr(client, name, value)
    try:
        await client.save()
    except IntegrityError:
        raise _email_taken(str(cleaned.get("email"))) from None
    return client


async def delete_client(local_id: int) -> None:
    """Delete the local client and its link, together; WHMCS is never touched."""
    async with in_transaction():
        deleted = await models.Client.filter(id=local_id).delete()
        if not deleted:
            raise RecordNotFound(CLIENT, local_id, "LOCAL")
        await models.SyncMap.filter(entity_type=CLIENT, local_id=local_id).delete()


async def list_clients(*, offset: int, limit: int, search: str | None) -> Page[models.Client]:
    query = models.Client.all()
    if search and search.strip():
        term = search.strip()
        query = query.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(company_name__icontains=term)
            | Q(email_key__contains=term.lower())
        )
    total = await query.count()
    items = await query.order_by("id").offset(offset).limit(limit)
    return Page(list(items), total, offset, limit)


async def _ensure_email_free(email: str, local_id: int | None) -> None:
    query = models.Client.filter(email_key=email.lower())
    if local_id is not None:
        query = query.exclude(id=local_id)
    other = await query.first()
    if other is not None:
        raise _email_taken(email, other.id)


def _email_taken(email: str, other_id: int | None = None) -> InvalidInput:
    owner = f" by local client {other_id}" if other_id is not None else ""
    return InvalidInput([FieldProblem("email", f"{email} is already used{owner}.")])
