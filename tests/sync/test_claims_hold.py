"""Claims.hold and save_and_release: the claim as one context manager, released by the final
save in the same statement, on every engine."""

from __future__ import annotations

import datetime

import pytest

import models
from integrations.whmcs.sync.claims import Claims
from integrations.whmcs.sync.errors import SyncInProgress

CLIENT = models.EntityType.CLIENT
START = datetime.datetime(2030, 5, 17, 12, 0, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.usefixtures("db")


def claims() -> Claims:
    return Claims(lease_s=60, clock=lambda: START)


async def test_hold_releases_on_the_way_out_even_when_the_block_fails() -> None:
    row = await models.SyncMap.create(
        entity_type=CLIENT, local_id=1, whmcs_id=5, status=models.SyncStatus.SYNCED
    )

    held: list[str | None] = []

    async def failing_block() -> None:
        async with claims().hold(CLIENT, 1) as claim:
            assert claim.row.id == row.id
            held.append((await models.SyncMap.get(id=row.id)).lease_token)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await failing_block()

    assert len(held) == 1
    assert held[0] is not None  # held inside the block

    stored = await models.SyncMap.get(id=row.id)
    assert (stored.lease_token, stored.lease_expires_at) == (None, None)


async def test_expect_new_inserts_and_a_second_holder_is_refused() -> None:
    async with claims().hold(CLIENT, 2, expect_new=True) as claim:
        assert claim.created is True
        with pytest.raises(SyncInProgress):
            await claims().claim_local(CLIENT, 2, expect_new=True)
        with pytest.raises(SyncInProgress):
            await claims().claim_local(CLIENT, 2)

    assert await models.SyncMap.filter(local_id=2).count() == 0  # created, untouched: removed


async def test_a_pending_free_row_is_taken_as_an_unknown_outcome() -> None:
    await models.SyncMap.create(
        entity_type=CLIENT, local_id=3, whmcs_id=None, status=models.SyncStatus.PENDING
    )

    async with claims().hold(CLIENT, 3, expect_new=True) as claim:
        assert (claim.created, claim.inherited_unknown) == (False, True)


async def test_save_and_release_writes_the_row_and_gives_the_claim_up() -> None:
    async with claims().hold(CLIENT, 4, expect_new=True) as claim:
        claim.touched = True
        claim.row.whmcs_id = 44
        claim.row.status = models.SyncStatus.SYNCED
        claim.row.snapshot = {"email": "ana@example.org"}
        claim.row.last_error = None
        await claims().save_and_release(claim)
        assert claim.released is True

    stored = await models.SyncMap.get(entity_type=CLIENT, local_id=4)
    assert (stored.whmcs_id, stored.status, stored.snapshot, stored.last_error) == (
        44,
        models.SyncStatus.SYNCED,
        {"email": "ana@example.org"},
        None,
    )
    assert (stored.lease_token, stored.lease_expires_at) == (None, None)


async def test_save_and_release_keeps_a_lease_another_holder_took() -> None:
    mine = await claims().claim_local(CLIENT, 5, expect_new=True)
    mine.touched = True
    later = START + datetime.timedelta(seconds=120)  # my lease ran out; another took the row
    theirs = await Claims(lease_s=60, clock=lambda: later).claim_local(CLIENT, 5)

    mine.row.status = models.SyncStatus.ERROR
    mine.row.last_error = "late"
    await claims().save_and_release(mine)

    stored = await models.SyncMap.get(entity_type=CLIENT, local_id=5)
    assert (stored.status, stored.last_error) == (models.SyncStatus.ERROR, "late")  # as a save
    assert stored.lease_token == theirs.token  # but their lease stays theirs
    assert stored.lease_expires_at == later + datetime.timedelta(seconds=60)
