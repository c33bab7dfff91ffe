"""Local clients: create, change, delete, list. No WHMCS here; the records live in a LocalStore."""

from __future__ import annotations

from collections.abc import Mapping

from tortoise.transactions import in_transaction

import models
from integrations.whmcs.sync.errors import FieldProblem, InvalidInput, RecordNotFound
from integrations.whmcs.sync.store import LocalClient, LocalId, LocalStore, Page
from integrations.whmcs.sync.stores.builtin import BuiltinClientStore
from integrations.whmcs.sync.validation import clean_client_fields

__all__ = ["Page", "create_client", "delete_client", "list_clients", "update_client"]

CLIENT = models.EntityType.CLIENT
_BUILTIN = BuiltinClientStore()


def _store(store: LocalStore | None) -> LocalStore:
    return store if store is not None else _BUILTIN


async def create_client(
    values: Mapping[str, str | None], *, store: LocalStore | None = None
) -> LocalClient:
    local = _store(store)
    cleaned = clean_client_fields(values)
    email = str(cleaned["email"])
    await _ensure_email_free(local, email, None)
    return await local.create(cleaned)


async def update_client(
    local_id: LocalId, patch: Mapping[str, str | None], *, store: LocalStore | None = None
) -> LocalClient:
    local = _store(store)
    if not await local.exists(local_id):
        raise RecordNotFound(CLIENT, local_id, "LOCAL")
    cleaned = clean_client_fields(patch, partial=True)
    if cleaned.get("email"):
        await _ensure_email_free(local, str(cleaned["email"]), local_id)
    return await local.update(local_id, cleaned)


async def delete_client(local_id: LocalId, *, store: LocalStore | None = None) -> None:
    """Delete the local client and its link, together; WHMCS is never touched."""
    local = _store(store)
    async with in_transaction("default"):
        if not await local.delete(local_id):
            raise RecordNotFound(CLIENT, local_id, "LOCAL")
        await models.SyncMap.filter(entity_type=CLIENT, local_id=local_id).delete()


async def list_clients(
    *, offset: int, limit: int, search: str | None, store: LocalStore | None = None
) -> Page[LocalClient]:
    return await _store(store).page(offset=offset, limit=limit, search=search)


async def _ensure_email_free(store: LocalStore, email: str, local_id: LocalId | None) -> None:
    other = await store.find_by_email(email, exclude=local_id)
    if other is not None:
        raise _email_taken(email, other.id)


def _email_taken(email: str, other_id: LocalId | None = None) -> InvalidInput:
    owner = f" by local client {other_id}" if other_id is not None else ""
    return InvalidInput([FieldProblem("email", f"{email} is already used{owner}.")])
