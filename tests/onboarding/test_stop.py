"""A run stopped while a staging task writes leaves no transaction open and no task running."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiosqlite
import pytest
from tortoise import connections

import models
from integrations.whmcs.sync.store import LocalClient
from models import JobKind, JobPhase, OnboardingJob
from tests.onboarding.conftest import World


class RunStoppedError(Exception):
    """What Ctrl-C or a bug is to a run: it stops wherever it is."""


async def test_a_stop_while_whmcs_rows_are_written_rolls_their_transaction_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connections.get("default").capabilities.dialect != "sqlite":
        pytest.skip("the write is held inside SQLite's driver; the hazard is its one connection")
    for n in range(6):
        world.add_whmcs(f"W{n}", "Stop", f"stop{n}@example.org")
    await world.add_local("W0", "Stop", "stop0@example.org")

    # The WHMCS side's first insert of staged rows is held inside the driver, after Tortoise has
    # begun its transaction, until the run stops it; the local side fails once that write is held.
    writing = asyncio.Event()
    executemany = aiosqlite.Connection.executemany

    async def held(self: aiosqlite.Connection, sql: str, parameters: Any) -> Any:
        if "onboarding_rows" in sql and not writing.is_set():
            writing.set()
            await asyncio.Event().wait()  # until cancelled
        return await executemany(self, sql, parameters)

    monkeypatch.setattr(aiosqlite.Connection, "executemany", held)
    store = world.bridge.local_clients

    async def failing_stream(*, batch: int = 500) -> AsyncIterator[LocalClient]:
        await writing.wait()
        raise RunStoppedError
        yield  # pragma: no cover

    monkeypatch.setattr(store, "stream", failing_stream)
    onboarding = world.onboarding(3, store=store)
    lease, _ = await onboarding.start(JobKind.RECONCILE, applying=False)
    with pytest.raises(RunStoppedError):
        await onboarding.run(lease)
    assert writing.is_set()
    names = {t.get_coro().__qualname__ for t in asyncio.all_tasks()}  # type: ignore[union-attr]
    assert not names & {"stage_whmcs", "stage_local", "_fetch_and_store"}  # none outlives it
    # The held page was rolled back: the one connection is not left inside its transaction.
    assert not connections.get("default")._connection.in_transaction
    assert await models.OnboardingRow.filter(job_id=lease.job.id).count() == 0
    job = await OnboardingJob.get(id=lease.job.id)
    assert job.phase is JobPhase.WHMCS
    assert job.whmcs_next_offset == 0
    assert job.lease_token is None

    monkeypatch.undo()
    result = await world.run(page_size=3)
    assert result.resumed
    assert result.job.id == job.id
    assert result.summary["would_link"] == 1
    assert result.summary["whmcs_only"] == 5
    assert await models.OnboardingRow.filter(job_id=job.id, side=models.Side.WHMCS).count() == 6
