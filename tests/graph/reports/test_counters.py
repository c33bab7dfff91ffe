"""stats and syncLogs totals come from trigger-kept counters; syncLogs pages by cursor."""

from __future__ import annotations

import datetime
from collections import Counter as Tally

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

import models
from integrations.whmcs.sync import reports
from models.counters import install_counters
from tests.conftest import Api
from whmcs_bridge.maintenance import purge_logs

CLIENT = models.EntityType.CLIENT
S = models.SyncStatus


async def _truth() -> reports.Stats:
    rows = await models.SyncMap.all().values_list("status", flat=True)
    tally = Tally(models.SyncStatus(s) for s in rows)
    return reports.Stats(
        synced=tally[S.SYNCED],
        pending=tally[S.PENDING],
        errors=tally[S.ERROR],
        stale_pending=tally[S.PENDING],  # none of these rows holds a lease
        by_entity_type={CLIENT: len(rows)},
    )


async def _log(
    operation: models.SyncOperation, status: models.LogStatus, **extra: object
) -> models.SyncLog:
    return await models.SyncLog.create(
        operation=operation, status=status, correlation_id="c-1", **extra
    )


async def test_stats_follow_every_kind_of_change(db: str) -> None:
    rows = [
        await models.SyncMap.create(entity_type=CLIENT, local_id=n, whmcs_id=n, status=S.SYNCED)
        for n in range(1, 8)
    ]
    assert await reports.stats() == await _truth()

    rows[0].status = S.PENDING
    await rows[0].save()  # a save of the whole row
    await models.SyncMap.filter(local_id__in=[2, 3]).update(status=S.ERROR)  # a bulk update
    await models.SyncMap.filter(local_id=4).update(last_error="no status change")
    await rows[4].delete()
    await models.SyncMap.filter(local_id__in=[6, 7]).delete()  # a bulk delete

    assert await reports.stats() == await _truth()
    assert (await reports.stats()).synced == 1


async def test_a_rolled_back_change_is_not_counted(db: str) -> None:
    await models.SyncMap.create(entity_type=CLIENT, local_id=1, whmcs_id=1, status=S.SYNCED)

    async def change_then_fail() -> None:
        async with in_transaction():
            await models.SyncMap.create(entity_type=CLIENT, local_id=2, status=S.PENDING)
            await models.SyncMap.filter(local_id=1).update(status=S.ERROR)
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        await change_then_fail()

    assert await reports.stats() == await _truth()
    assert (await reports.stats()).synced == 1


async def test_log_totals_match_the_rows_for_every_filter(db: str) -> None:
    op, st = models.SyncOperation, models.LogStatus
    for operation, status, n in (
        (op.PUSH, st.SUCCESS, 3),
        (op.PUSH, st.ERROR, 2),
        (op.LIST, st.SUCCESS, 4),
    ):
        for i in range(n):
            await _log(operation, status, local_id=i)
    await _log(op.TEST, st.SUCCESS, entity_type=None)
    old = await _log(op.PULL, st.SUCCESS, local_id=1)
    await models.SyncLog.filter(id=old.id).update(
        created_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    assert await purge_logs(365) == 1  # deletes through the trigger too

    queries = [
        reports.LogQuery(),
        reports.LogQuery(operation=op.PUSH),
        reports.LogQuery(status=st.ERROR),
        reports.LogQuery(operation=op.PUSH, status=st.SUCCESS),
        reports.LogQuery(entity_type=CLIENT),
        reports.LogQuery(operation=op.PULL),
        reports.LogQuery(local_id=1),
        reports.LogQuery(days=30, status=st.SUCCESS),
    ]
    for query in queries:
        page = await reports.sync_logs(query, offset=0, limit=100)
        assert page.total == len(page.items), query
    assert (await reports.sync_logs(reports.LogQuery(), offset=0, limit=1)).total == 10


async def test_installing_counts_the_rows_already_there(db: str) -> None:
    await models.SyncMap.create(entity_type=CLIENT, local_id=1, whmcs_id=1, status=S.SYNCED)
    await models.SyncMap.create(entity_type=CLIENT, local_id=2, status=S.PENDING)
    await _log(models.SyncOperation.PUSH, models.LogStatus.SUCCESS)
    await models.Counter.all().delete()

    await install_counters(connections.get("default"))
    await install_counters(connections.get("default"))  # twice: still right

    assert await reports.stats() == await _truth()
    assert (await reports.sync_logs(reports.LogQuery(), offset=0, limit=1)).total == 1


PAGE = (
    "query($after: ID, $offset: Int! = 0) "
    "{ syncLogs(limit: 3, after: $after, offset: $offset) { total items { id } } }"
)


async def test_sync_logs_pages_by_cursor_like_by_offset(api: Api) -> None:
    for _ in range(8):
        await _log(models.SyncOperation.LIST, models.LogStatus.SUCCESS)
    by_offset = [(await api.gql(PAGE, {"offset": offset}))["syncLogs"] for offset in (0, 3, 6)]

    by_cursor, after = [], None
    for _ in range(3):
        page = (await api.gql(PAGE, {"after": after}))["syncLogs"]
        by_cursor.append(page)
        after = page["items"][-1]["id"]

    assert by_cursor == by_offset
    assert [len(p["items"]) for p in by_cursor] == [3, 3, 2]
    assert {p["total"] for p in by_cursor} == {8}
    skipped = await api.gql(PAGE, {"after": by_cursor[0]["items"][0]["id"], "offset": 1})
    assert skipped["syncLogs"]["items"][0] == by_offset[0]["items"][2]


async def test_a_cursor_that_is_no_id_is_refused(api: Api) -> None:
    body = await api.raw(PAGE, {"after": "abc"})

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
