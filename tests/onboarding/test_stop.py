"""A run stopped while one side writes its staged rows: the write ends whole, no transaction is
left open on SQLite's one connection, no staging task outlives the run, and a rerun finishes.

The write is held inside the driver, after Tortoise's bulk insert sent its BEGIN, until the stop
has reached the task that writes (it is being cancelled); then it is let go. Before the fix the
cancellation cut the insert between BEGIN and COMMIT (the CI failure "cannot start a transaction
within a transaction"); an `in_transaction` around it could leave the connection's lock taken.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiosqlite
import pytest
from tortoise import connections

import models
from integrations.whmcs.records import WhmcsClientPage
from integrations.whmcs.sync.store import LocalClient, LocalId
from models import JobKind, JobPhase, OnboardingJob, Side
from tests.onboarding.conftest import World

STAGERS = {"stage_whmcs", "stage_local", "_fetch_and_store"}


class RunStoppedError(Exception):
    """What Ctrl-C or a bug is to a run: it stops wherever it is."""


def _stager(name: str) -> asyncio.Task[Any] | None:
    for task in asyncio.all_tasks():
        if task.get_coro().__qualname__ == name:  # type: ignore[union-attr]
            return task
    return None


@pytest.mark.parametrize(
    ("writing_side", "writer"), [(Side.WHMCS, "stage_whmcs"), (Side.LOCAL, "stage_local")]
)
async def test_a_stop_while_one_side_writes_lets_the_write_end_whole(
    world: World, monkeypatch: pytest.MonkeyPatch, writing_side: Side, writer: str
) -> None:
    if connections.get("default").capabilities.dialect != "sqlite":
        pytest.skip("the write is held inside SQLite's driver; the hazard is its one connection")
    for n in range(6):
        world.add_whmcs(f"W{n}", "Stop", f"stop{n}@example.org")
    for n in range(2):
        await world.add_local(f"W{n}", "Stop", f"stop{n}@example.org")

    side_code = "W" if writing_side is Side.WHMCS else "L"
    held = asyncio.Event()
    cut_off = asyncio.Event()
    executemany = aiosqlite.Connection.executemany

    async def holding(self: aiosqlite.Connection, sql: str, parameters: Any) -> Any:
        rows = list(parameters)
        if "onboarding_rows" in sql and rows[0][0] == side_code and not held.is_set():
            held.set()
            task = _stager(writer)
            assert task is not None
            # Until the stop reaches the side that writes (no event says a task is cancelling).
            while not task.cancelling():  # noqa: ASYNC110
                await asyncio.sleep(0.001)
            cut_off.set()
        return await executemany(self, sql, rows)

    monkeypatch.setattr(aiosqlite.Connection, "executemany", holding)
    store = world.bridge.local_clients
    onboarding = world.onboarding(3, store=store)

    # The other side fails once the write is held.
    if writing_side is Side.WHMCS:

        async def failing_stream(
            *, batch: int = 500, after: LocalId | None = None
        ) -> AsyncIterator[LocalClient]:
            await held.wait()
            raise RunStoppedError
            yield  # pragma: no cover

        monkeypatch.setattr(store, "stream", failing_stream)
    else:

        async def failing_fetch(offset: int, limit: int) -> WhmcsClientPage:
            await held.wait()
            raise RunStoppedError

        monkeypatch.setattr(onboarding, "_fetch", failing_fetch)

    lease, _ = await onboarding.start(JobKind.RECONCILE, applying=False)
    with pytest.raises(RunStoppedError):
        await onboarding.run(lease)
    # The connection is out of any transaction, and the held write went in whole.
    assert not connections.get("default")._connection.in_transaction
    assert cut_off.is_set()  # the stop did reach the writer while its insert was held
    assert not {t.get_coro().__qualname__ for t in asyncio.all_tasks()} & STAGERS  # type: ignore[union-attr]
    staged = await models.OnboardingRow.filter(job_id=lease.job.id, side=writing_side).count()
    assert staged == (3 if writing_side is Side.WHMCS else 2)
    job = await OnboardingJob.get(id=lease.job.id)
    assert job.phase is JobPhase.WHMCS
    assert job.lease_token is None
    if writing_side is Side.WHMCS:
        assert job.whmcs_next_offset == 0  # its progress was not saved: the page is read again

    monkeypatch.undo()
    result = await world.run(page_size=3)
    assert result.resumed
    assert result.job.id == job.id
    assert result.summary["would_link"] == 2
    assert result.summary["whmcs_only"] == 4
    assert await models.OnboardingRow.filter(job_id=job.id, side=Side.WHMCS).count() == 6
    assert await models.OnboardingRow.filter(job_id=job.id, side=Side.LOCAL).count() == 2
