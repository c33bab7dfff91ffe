"""What the sync layer knows about each entity type, in one place.

One :class:`SyncEntity` per ``EntityType``: its WHMCS side (``integrations/whmcs/registry.py``),
the word messages use for it, its field mapping table and field schema, its validation, its local
store, how a local record's existence is checked, whether it always shows in the statistics, and
which audit rows the erasure of a person's data covers. Generic code (claims, audit, reports,
errors, the erasure) reads these facts; nothing generic names a type.

The five module types are read views of WHMCS today (issue 13): they have no local records (no
store, no field mapping), hold links only if something links them, and their audit rows name the
WHMCS client that owns what was read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from integrations.whmcs.registry import WhmcsEntity, whmcs_entity
from integrations.whmcs.sync.mapping import LOCAL_CLIENT_FIELDS, FieldMapping
from integrations.whmcs.sync.store import LocalId, LocalStore
from integrations.whmcs.sync.stores import open_client_store
from integrations.whmcs.sync.validation import clean_client_fields
from models import EntityType

__all__ = [
    "SYNC_ENTITIES",
    "Erase",
    "Existence",
    "SyncEntity",
    "entity",
    "load_mapping",
    "local_record_missing",
    "word",
]


class Existence(StrEnum):
    """How `syncStatus` (and `unlink` without a link) tells that a local record exists."""

    LOCAL_STORE = "local store"  # asked of the entity's local store
    LINKS_ONLY = "links only"  # no local records: a link is all there is to find


class Erase(StrEnum):
    """Which audit rows of the entity type hold a person's data, for `logs erase`."""

    RECORD = "record"  # rows naming the person's own record (local id or WHMCS id)
    OWNER = "owner"  # rows naming the WHMCS client that owns what was read (its WHMCS id)


@dataclass(frozen=True, slots=True)
class SyncEntity:
    entity_type: EntityType
    whmcs: WhmcsEntity
    word: str  # in messages: "local client 3", "WHMCS service 9"
    existence: Existence
    erase: Erase
    always_in_stats: bool = False  # byEntityType lists it even before it holds a link
    mapping_table: str | None = None  # the field-mapping file's table: [client]
    fields: tuple[str, ...] = ()  # the local field schema (the store's value keys)
    validate: Callable[..., dict[str, str | None]] | None = None  # local values -> cleaned
    open_store: Callable[[FieldMapping], LocalStore] | None = None


def _module(entity_type: EntityType) -> SyncEntity:
    kind = entity_type.value.lower()
    return SyncEntity(
        entity_type=entity_type,
        whmcs=whmcs_entity(kind),
        word=kind,
        existence=Existence.LINKS_ONLY,
        erase=Erase.OWNER,
    )


SYNC_ENTITIES: Mapping[EntityType, SyncEntity] = {
    EntityType.CLIENT: SyncEntity(
        entity_type=EntityType.CLIENT,
        whmcs=whmcs_entity("client"),
        word="client",
        existence=Existence.LOCAL_STORE,
        erase=Erase.RECORD,
        always_in_stats=True,
        mapping_table="client",
        fields=LOCAL_CLIENT_FIELDS,
        validate=clean_client_fields,
        open_store=open_client_store,
    ),
    **{
        t: _module(t)
        for t in (
            EntityType.SERVICE,
            EntityType.INVOICE,
            EntityType.ORDER,
            EntityType.TICKET,
            EntityType.DOMAIN,
        )
    },
}


def entity(entity_type: EntityType) -> SyncEntity:
    return SYNC_ENTITIES[entity_type]


def word(entity_type: EntityType | None) -> str:
    """The word messages use for the type ("client"); "record" when none is known."""
    found = SYNC_ENTITIES.get(entity_type) if entity_type is not None else None
    return found.word if found is not None else "record"


_DEFAULT_STORES: dict[EntityType, LocalStore] = {}


def default_store(entity_type: EntityType) -> LocalStore | None:
    """The type's local store for the default field mapping (None: it has no local records)."""
    found = entity(entity_type)
    if found.open_store is None:
        return None
    if entity_type not in _DEFAULT_STORES:
        _DEFAULT_STORES[entity_type] = found.open_store(FieldMapping.default())
    return _DEFAULT_STORES[entity_type]


async def local_record_missing(
    entity_type: EntityType, local_id: LocalId, store: LocalStore | None = None
) -> bool:
    """Whether the type's existence check says there is no such local record (``store``: the
    one the app opened for the type, else the default one). A type without local records
    (links only) never says so."""
    if entity(entity_type).existence is Existence.LINKS_ONLY:
        return False
    local = store if store is not None and store.entity_type is entity_type else None
    local = local or default_store(entity_type)
    return local is not None and not await local.exists(local_id)


def load_mapping(path: Path | None, entity_type: EntityType = EntityType.CLIENT) -> FieldMapping:
    """The field mapping of the type, from its table of the mapping file (MappingError if
    invalid); the built-in one without a file."""
    table = entity(entity_type).mapping_table
    if table is None:
        raise ValueError(f"{entity_type.value} has no field mapping")
    return FieldMapping.load(path, table=table)
