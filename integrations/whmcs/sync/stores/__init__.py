"""Local stores: where the application's own records live (see :mod:`..store`)."""

from __future__ import annotations

from integrations.whmcs.sync.mapping import FieldMapping
from integrations.whmcs.sync.store import LocalStore
from integrations.whmcs.sync.stores.builtin import BuiltinClientStore

__all__ = ["BuiltinClientStore", "open_client_store"]


def open_client_store(mapping: FieldMapping) -> LocalStore:
    """The store of local clients the mapping names: the built-in ``clients`` table unless the
    mapping has a ``[client.table]`` (an existing table of the application's)."""
    if mapping.table is not None:
        from integrations.whmcs.sync.stores.existing_table import ExistingTableStore

        return ExistingTableStore(mapping)
    return BuiltinClientStore()
