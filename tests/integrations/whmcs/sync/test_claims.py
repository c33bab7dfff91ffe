"""Claims: a lease on the sync-map row, in the database, on every engine."""

from __future__ import annotations

import asyncio
import datetime

import pytest

import models
from integrations.whmcs.sync.claims import Claim, Claims
from integrations.whmcs.sync.errors import SyncInProgress

CLIENT = models.EntityType.CLIENT
LEASE_S = 60
START = datetime.datetime(2030, 5, 17, 12, 0, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.usefixtures("db")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def claims(clock: Clock) -> Claims:
    return Claims(lease_s=LEASE_S, clock=clock)


async def linked_row(local_id: int = 1, **values: object) -> models.SyncMap:
    fields: dict[str, object] = {
        "entity_type": CLIENT,
        "local_id": local_id,
        "whmcs_id": 100 + local_id,
        "status": models.SyncStatus.SYNCED,
        **values,
    }
    return await models.SyncMap.create(**fields)


async def test_claim_creates_a_pending_row_holding_the_lease(claims: Claims) -> None:
    claim = await claims.claim_local(CLIENT, 1)

    row = await models.SyncMap.get(entity_type=CLIENT, local_id=1)
    assert (claim.created, claim.touched, claim.inherited_unknown) == (True, False, False)
    assert claim.row.id == row.id
    assert row.status == models.SyncStatus.PENDING
    assert row.whmcs_id is None
    assert row.lease_token == claim.token
    assert row.lease_expires_at == START + datetime.timedelta(seconds=LEASE_S)
    assert await models.SyncMap.all().count() == 1


async def test_a_second_claim_of_the_same_record_is_refused(claims: Claims) -> None:
    first = await claims.claim_local(CLIENT, 1)

    with pytest.raises(SyncInProgress) as caught:
        await claims.claim_local(CLIENT, 1)

    assert caught.value.message == (
        "Another operation on local client 1 is running; nothing was done. Try again."
    )
    row = await models.SyncMap.get(entity_type=CLIENT, local_id=1)
    assert row.lease_token == first.token  # the holder keeps it
    assert await models.SyncMap.all().count() == 1


async def test_claims_on_different_records_do_not_interfere(claims: Claims) -> None:
    one = await claims.claim_local(CLIENT, 1)
    two = await claims.claim_local(CLIENT, 2)

    assert one.row.id != two.row.id
    assert one.token != two.token


async def test_claim_of_a_linked_record_takes_its_row(claims: Claims) -> None:
    existing = await linked_row(1, last_error=None)

    claim = await claims.claim_local(CLIENT, 1)

    assert (claim.created, claim.inherited_unknown) == (False, False)
    assert claim.row.id == existing.id
    assert claim.row.lease_token == claim.token  # refreshed from the database
    row = await models.SyncMap.get(id=existing.id)
    assert (row.status, row.whmcs_id, row.lease_token) == (
        models.SyncStatus.SYNCED,
        101,
        claim.token,
    )


async def test_release_frees_the_record(claims: Claims) -> None:
    existing = await linked_row(1)
    claim = await claims.claim_local(CLIENT, 1)

    await claims.release(claim)

    row = await models.SyncMap.get(id=existing.id)
    assert (row.lease_token, row.lease_expires_at) == (None, None)
    again = await claims.claim_local(CLIENT, 1)
    assert again.row.id == existing.id


async def test_release_deletes_a_created_and_untouched_row(claims: Claims) -> None:
    claim = await claims.claim_local(CLIENT, 1)

    await claims.release(claim)

    assert await models.SyncMap.all().count() == 0
    again = await claims.claim_local(CLIENT, 1)  # and the record can be claimed afresh
    assert again.created is True


async def test_release_keeps_a_created_row_a_write_was_attempted_under(claims: Claims) -> None:
    claim = await claims.claim_local(CLIENT, 1)
    claim.touched = True  # AddClient was sent: its outcome must not be forgotten

    await claims.release(claim)

    row = await models.SyncMap.get(entity_type=CLIENT, local_id=1)
    assert (row.status, row.whmcs_id, row.lease_token) == (models.SyncStatus.PENDING, None, None)


async def test_release_keeps_a_created_row_that_got_linked(claims: Claims) -> None:
    claim = await claims.claim_local(CLIENT, 1)
    claim.row.whmcs_id = 7
    claim.row.status = models.SyncStatus.SYNCED
    await claim.row.save()

    await claims.release(claim)

    row = await models.SyncMap.get(entity_type=CLIENT, local_id=1)
    assert (row.whmcs_id, row.lease_token) == (7, None)


async def test_an_unexpired_lease_holds_until_its_last_instant(
    claims: Claims, clock: Clock
) -> None:
    await claims.claim_local(CLIENT, 1)
    clock.advance(LEASE_S)  # exactly the expiry: still held

    with pytest.raises(SyncInProgress):
        await claims.claim_local(CLIENT, 1)


async def test_an_expired_pending_lease_is_taken_over_as_unknown(
    claims: Claims, clock: Clock
) -> None:
    crashed = await claims.claim_local(CLIENT, 1)  # its holder dies mid-create
    clock.advance(LEASE_S + 1)

    taker = await claims.claim_local(CLIENT, 1)

    assert (taker.created, taker.inherited_unknown) == (False, True)
    assert taker.row.id == crashed.row.id
    row = await models.SyncMap.get(id=crashed.row.id)
    assert row.lease_token == taker.token
    assert row.lease_expires_at == clock.now + datetime.timedelta(seconds=LEASE_S)


async def test_the_old_holder_cannot_release_a_taken_over_claim(
    claims: Claims, clock: Clock
) -> None:
    crashed = await claims.claim_local(CLIENT, 1)
    clock.advance(LEASE_S + 1)
    taker = await claims.claim_local(CLIENT, 1)

    await claims.release(crashed)  # the late holder wakes up and gives up what it had

    row = await models.SyncMap.get(id=crashed.row.id)  # not deleted, though it created it
    assert row.lease_token == taker.token
    with pytest.raises(SyncInProgress):
        await claims.claim_local(CLIENT, 1)


async def test_an_expired_lease_on_a_synced_row_is_not_unknown(
    claims: Claims, clock: Clock
) -> None:
    await linked_row(1)
    await claims.claim_local(CLIENT, 1)
    clock.advance(LEASE_S + 1)

    taker = await claims.claim_local(CLIENT, 1)

    assert (taker.created, taker.inherited_unknown) == (False, False)


async def test_a_pending_row_nobody_holds_is_inherited_as_unknown(claims: Claims) -> None:
    await linked_row(1, whmcs_id=None, status=models.SyncStatus.PENDING)

    claim = await claims.claim_local(CLIENT, 1)

    assert claim.inherited_unknown is True
    assert claims.is_stale(await models.SyncMap.get(local_id=1)) is False  # now held again


async def test_is_stale_only_for_pending_rows_whose_lease_is_gone(
    claims: Claims, clock: Clock
) -> None:
    held = await claims.claim_local(CLIENT, 1)
    synced = await linked_row(2, lease_token="x", lease_expires_at=START)

    assert claims.is_stale(held.row) is False
    clock.advance(LEASE_S + 1)
    assert claims.is_stale(await models.SyncMap.get(id=held.row.id)) is True
    assert claims.is_stale(await models.SyncMap.get(id=synced.id)) is False


def outcome(results: list[Claim | BaseException]) -> tuple[list[Claim], list[BaseException]]:
    won = [r for r in results if isinstance(r, Claim)]
    lost = [r for r in results if not isinstance(r, Claim)]
    return won, lost


async def test_two_claims_racing_for_a_new_record_one_wins(claims: Claims) -> None:
    results = await asyncio.gather(
        claims.claim_local(CLIENT, 1), claims.claim_local(CLIENT, 1), return_exceptions=True
    )

    won, lost = outcome(list(results))
    assert len(won) == 1
    assert len(lost) == 1
    assert isinstance(lost[0], SyncInProgress)
    rows = await models.SyncMap.filter(entity_type=CLIENT, local_id=1)
    assert [r.lease_token for r in rows] == [won[0].token]


async def test_two_claims_racing_for_a_linked_record_one_wins(claims: Claims) -> None:
    existing = await linked_row(1)

    results = await asyncio.gather(
        *(claims.claim_local(CLIENT, 1) for _ in range(4)), return_exceptions=True
    )

    won, lost = outcome(list(results))
    assert len(won) == 1
    assert all(isinstance(e, SyncInProgress) for e in lost)
    assert len(lost) == 3
    assert (await models.SyncMap.get(id=existing.id)).lease_token == won[0].token


async def test_two_claims_racing_for_an_expired_lease_one_wins(
    claims: Claims, clock: Clock
) -> None:
    await claims.claim_local(CLIENT, 1)
    clock.advance(LEASE_S + 1)

    results = await asyncio.gather(
        claims.claim_local(CLIENT, 1), claims.claim_local(CLIENT, 1), return_exceptions=True
    )

    won, lost = outcome(list(results))
    assert len(won) == 1
    assert [type(e) for e in lost] == [SyncInProgress]
    assert won[0].inherited_unknown is True
