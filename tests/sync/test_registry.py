"""Every entity type is complete in the registry: a new module cannot be half added.

For each type the registry (integrations/whmcs/registry.py and sync/registry.py) must name a
WHMCS resource the client really has, actions the sandbox answers, an existence check that
behaves as declared, the key of its create answer (the audit finds the new id by it), and
audit rows the GDPR erase covers. Loaders: the types with local records (a local store) need
the loaders the graph resolves their records and links with; the five module types are read
views answered by one WHMCS read per field, with no batched relation, so they need none yet.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

import models
from graph.loaders import Loaders
from integrations.whmcs.client import CallRecord, WhmcsClient
from integrations.whmcs.entities.codec import from_json, to_json
from integrations.whmcs.registry import WHMCS_ENTITIES
from integrations.whmcs.sandbox.actions import find_action
from integrations.whmcs.sync import reports
from integrations.whmcs.sync.audit import Audit
from integrations.whmcs.sync.errors import RecordNotFound
from integrations.whmcs.sync.mapping import FieldMapping
from integrations.whmcs.sync.registry import SYNC_ENTITIES, Erase, Existence, SyncEntity
from whmcs_bridge.maintenance import erase_person

ENTRIES = [SYNC_ENTITIES[t] for t in models.EntityType]
ids = [t.value for t in models.EntityType]
# The loaders a type with local records needs (by the registry's word for it).
LOCAL_RECORD_LOADERS = ("{word}_by_id", "link_by_local_id", "link_by_whmcs_id")


def test_every_entity_type_has_one_entry_on_both_sides() -> None:
    assert set(SYNC_ENTITIES) == set(models.EntityType)
    assert {e.whmcs.kind for e in SYNC_ENTITIES.values()} == set(WHMCS_ENTITIES)
    for entity_type, entry in SYNC_ENTITIES.items():
        assert entry.entity_type is entity_type
        assert entry.word, entity_type


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
async def test_its_resource_is_on_the_whmcs_client(entry: SyncEntity) -> None:
    async with aiohttp.ClientSession() as session:
        whmcs = WhmcsClient(
            api_url="http://127.0.0.1:9/", identifier="i", secret="s", session=session
        )
        resource = getattr(whmcs, entry.whmcs.resource)
    assert isinstance(resource, entry.whmcs.resource_type)
    assert callable(entry.whmcs.normalise)


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
def test_the_sandbox_answers_every_action_it_sends(entry: SyncEntity) -> None:
    sent = entry.whmcs.reads + entry.whmcs.writes
    assert entry.whmcs.reads, f"{entry.word}: no read action"
    missing = [action for action in sent if find_action(action) is None]
    assert missing == [], f"{entry.word}: the sandbox does not answer {missing}"


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
def test_its_cached_values_round_trip_through_the_codec(entry: SyncEntity) -> None:
    page: Any = entry.whmcs.page
    empty = from_json(page, {"items": [], "total": 0, "offset": 5})
    assert from_json(page, to_json(empty)) == empty
    assert entry.whmcs.dump is to_json
    assert entry.whmcs.load is from_json


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
def test_it_has_the_loaders_its_records_need(entry: SyncEntity) -> None:
    fields = set(Loaders.__dataclass_fields__)
    if entry.existence is Existence.LOCAL_STORE:
        needed = {name.format(word=entry.word) for name in LOCAL_RECORD_LOADERS}
        assert needed <= fields, f"{entry.word}: no loader {sorted(needed - fields)}"
    else:
        assert entry.existence is Existence.LINKS_ONLY  # read views: nothing to batch


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
async def test_its_existence_check_behaves_as_declared(entry: SyncEntity) -> None:
    if entry.existence is Existence.LOCAL_STORE:
        assert entry.open_store is not None, f"{entry.word}: a local store is needed"
        assert entry.mapping_table, f"{entry.word}: its field mapping table"
        assert entry.fields, f"{entry.word}: its local field schema"
        assert entry.validate is not None, f"{entry.word}: its validation"
        store = entry.open_store(FieldMapping.default())
        assert store.entity_type is entry.entity_type
        with pytest.raises(RecordNotFound) as caught:
            await reports.sync_state(entry.entity_type, 4242, store=store)
        assert (caught.value.entity_type, caught.value.record_id) == (entry.entity_type, "4242")
        assert caught.value.message == f"No {entry.word} 4242 locally."
    else:
        assert entry.open_store is None
        assert await reports.sync_state(entry.entity_type, 4242) is None  # not linked: no error


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
async def test_the_audit_finds_the_id_of_a_create_by_its_key(entry: SyncEntity) -> None:
    create = entry.whmcs.create
    assert create is not None, f"{entry.word}: which answer key holds a new id?"
    audit = Audit(models.SyncOperation.PUSH, "c-1", entity_type=entry.entity_type)

    await audit.observe(
        CallRecord(create.action, {}, 200, {"result": "success", create.id_key: "77"}, None, 3, 1)
    )

    row = await models.SyncLog.get(correlation_id="c-1")
    assert (row.entity_type, row.whmcs_action, row.whmcs_id) == (
        entry.entity_type,
        create.action,
        77,
    )
    assert audit.whmcs_id == 77


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
async def test_the_erase_covers_its_audit_rows(entry: SyncEntity) -> None:
    names: dict[str, Any] = {"local_id": 7} if entry.erase is Erase.RECORD else {"whmcs_id": 42}
    common: dict[str, Any] = {
        "operation": models.SyncOperation.FETCH,
        "status": models.LogStatus.SUCCESS,
        "entity_type": entry.entity_type,
    }
    theirs = await models.SyncLog.create(
        **common, **names, correlation_id="mine", request_data={"email": "ana@example.org"}
    )
    other = await models.SyncLog.create(
        **common,
        local_id=8,
        whmcs_id=43,
        correlation_id="other",
        request_data={"email": "bob@example.org"},
    )

    changed = await erase_person(local_id=7, whmcs_id=42)

    assert changed == 1
    assert (await models.SyncLog.get(id=theirs.id)).request_data is None
    assert (await models.SyncLog.get(id=other.id)).request_data == {"email": "bob@example.org"}
