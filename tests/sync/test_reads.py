"""Bridge.reads: any entity type read through the registry, cached, audited, not-found typed."""

from __future__ import annotations

import pytest

import models
from integrations.whmcs.sync.errors import RecordNotFound
from integrations.whmcs.sync.registry import entity
from tests.conftest import Api

SERVICE = models.EntityType.SERVICE
BOB = 2  # the sandbox's demo client with three services


async def test_a_module_read_is_cached_under_its_owner_and_audited(api: Api) -> None:
    bridge = api.app.state.bridge
    page_type = entity(SERVICE).whmcs.page

    async def read(correlation_id: str) -> object:
        audit = bridge.audit(
            models.SyncOperation.LIST, correlation_id=correlation_id, actor="t", entity_type=SERVICE
        )
        reads = bridge.reads(audit)
        return await reads.cached(
            SERVICE,
            f"page:{BOB}:0:25",
            owner=BOB,
            load=lambda: reads.whmcs.services.list(BOB),
            record_type=page_type,
        )

    first = await read("read-1")
    again = await read("read-2")  # from the cache: no WHMCS call, no audit row
    await bridge.cache.invalidate_client(BOB)  # a write to the owner
    third = await read("read-3")

    assert first == again == third
    assert len(api.sandbox.state.calls_for("GetClientsProducts")) == 2
    rows = await models.SyncLog.filter(whmcs_action="GetClientsProducts").order_by("id")
    assert [(r.correlation_id, r.entity_type) for r in rows] == [
        ("read-1", SERVICE),
        ("read-3", SERVICE),
    ]


async def test_a_fresh_read_of_a_missing_record_is_not_found_of_its_type(api: Api) -> None:
    bridge = api.app.state.bridge
    audit = bridge.audit(
        models.SyncOperation.FETCH, correlation_id="c", actor=None, entity_type=SERVICE
    )
    reads = bridge.reads(audit)

    with pytest.raises(RecordNotFound) as caught:
        await reads.fresh(SERVICE, 9999, lambda: reads.whmcs.services.list(9999))

    assert (caught.value.entity_type, caught.value.record_id, caught.value.side) == (
        SERVICE,
        "9999",
        "WHMCS",
    )
    assert caught.value.message == "No service 9999 in WHMCS."
