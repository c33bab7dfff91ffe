"""Local stores: where the application's own records live (see :mod:`..store`)."""

from __future__ import annotations

from integrations.whmcs.sync.mapping import FieldMapping
from integrations.whmcs.sync.store import LocalStore
from integrations.whmcs.sync.stores.builtin import BuiltinClientStore

__all__ = [
    "BuiltinClientStore",
    "client_store_connections",
    "open_client_store",
    "verify_client_store",
]


def open_client_store(mapping: FieldMapping) -> LocalStore:
    """The store of local clients the mapping names: the built-in ``clients`` table unless the
    mapping has a ``[client.table]`` (an existing table of the application's)."""
    if mapping.table is not None:
        from integrations.whmcs.sync.stores.existing_table import ExistingTableStore

        return ExistingTableStore(mapping)
    return BuiltinClientStore()


def client_store_connections(mapping: FieldMapping) -> dict[str, str]:
    """The Tortoise connections the store needs besides DATABASE_URL's (name -> URL): the
    application's database when `[client.table]` has a database_url."""
    if mapping.table is None or not mapping.table.database_url:
        return {}
    from integrations.whmcs.sync.stores.existing_table import CLIENT_TABLE_CONNECTION

    return {CLIENT_TABLE_CONNECTION: mapping.table.database_url}


async def verify_client_store(store: LocalStore) -> None:
    """Start-up: an existing table must exist with its mapped columns (ExistingTableError names
    what is missing); the built-in table is the migrations' business."""
    from integrations.whmcs.sync.stores.existing_table import ExistingTableStore

    if isinstance(store, ExistingTableStore):
        await store.verify()
