"""An interrupted run resumes where it stopped and ends as an uninterrupted one; one run at a
time; an unanswered create is settled before anything else."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import models
from integrations.whmcs.sandbox.faults import Fault
from integrations.whmcs.sync.errors import WhmcsUnusable
from integrations.whmcs.sync.onboarding import OnboardingBusy
from integrations.whmcs.sync.onboarding.report import write_report
from integrations.whmcs.sync.store import LocalId
from models import JobKind, JobPhase, OnboardingJob
from tests.onboarding.conftest import Cast, World

FAST_RECOVERY = {
    "WHMCS_API_TIMEOUT": "2",
    "LOG_LEVEL": "DEBUG",
    "WHMCS_MAX_CONCURRENCY": "2",
    "WHMCS_BREAKER_COOLDOWN": "0.1",
    "SYNC_LEASE_SECONDS": "1",
}
pytestmark = pytest.mark.parametrize("settings_env", [FAST_RECOVERY], indirect=True)


class RunStoppedError(Exception):
    """What Ctrl-C or a bug is to a run: it stops wherever it is."""


async def _crowd(world: World) -> None:
    """25 WHMCS and 25 local clients: 15 would link, 5 conflict, 5 and 5 alone."""
    for n in range(20):
        world.add_whmcs(f"W{n}", "Crowd", f"person{n:02}@example.org")
    for n in range(5, 25):
        first = f"W{n}" if n < 15 or n >= 20 else f"Other{n}"
        await world.add_local(first, "Crowd", f"person{n:02}@example.org")
    for n in range(25, 30):
        world.add_whmcs(f"W{n}", "Alone", f"alone{n}@example.org")
    world.whmcs.calls.clear()


async def _report(job_id: int, path: Path) -> dict[str, Any]:
    await write_report(job_id, path)
    body: dict[str, Any] = json.loads(await asyncio.to_thread(path.read_text))
    return body


async def test_an_outage_mid_walk_resumes_from_its_offset_with_the_same_result(
    world: World, tmp_path: Path
) -> None:
    await _crowd(world)
    whole = await world.run(page_size=3)
    expected = await _report(whole.job.id, tmp_path / "whole.json")
    assert whole.summary == {
        "linked": 0,
        "would_link": 10,
        "conflicts": 5,
        "local_only": 5,
        "whmcs_only": 10,
        "ambiguous": 0,
    }
    pages = -(-25 // 3)
    assert world.whmcs_calls("GetClients") == pages
    world.whmcs.calls.clear()

    def outage(job: OnboardingJob) -> None:
        if job.phase is JobPhase.WHMCS and job.whmcs_done >= 6:
            world.whmcs.faults.push(Fault("drop", action="GetClients", times=1000))

    onboarding = world.onboarding(3, on_progress=outage)
    lease, resumed = await onboarding.start(JobKind.RECONCILE, applying=False)
    assert not resumed
    with pytest.raises(WhmcsUnusable):
        await onboarding.run(lease)
    job = await OnboardingJob.get(id=lease.job.id)
    assert job.phase is JobPhase.WHMCS
    assert job.active == "onboarding"  # unfinished
    assert job.lease_token is None  # given up: the next run may take it at once
    assert job.last_error
    staged_below = job.whmcs_next_offset
    assert 6 <= staged_below < 25

    world.whmcs.faults.clear()
    world.whmcs.calls.clear()
    await asyncio.sleep(0.2)  # the breaker's cooldown
    resumed_run = await world.run(page_size=3)
    assert resumed_run.resumed
    assert resumed_run.job.id == job.id
    assert resumed_run.job.runs == 2
    offsets = sorted(int(c["limitstart"]) for c in world.whmcs.calls_for("GetClients"))
    assert offsets == list(range(staged_below, 25, 3))  # only the pages not staged yet
    assert resumed_run.summary == whole.summary
    again = await _report(job.id, tmp_path / "resumed.json")
    assert again == expected


async def test_an_interruption_while_reading_local_clients_resumes_at_its_cursor(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _crowd(world)
    whole = await world.run(page_size=10)
    expected = await _report(whole.job.id, tmp_path / "whole.json")

    def stop(job: OnboardingJob) -> None:
        if job.local_done >= 8:  # WHMCS may still be read meanwhile
            raise RunStoppedError

    onboarding = world.onboarding(10, local_batch=4, on_progress=stop)
    lease, _ = await onboarding.start(JobKind.RECONCILE, applying=False)
    with pytest.raises(RunStoppedError):
        await onboarding.run(lease)
    job = await OnboardingJob.get(id=lease.job.id)
    assert job.phase in (JobPhase.WHMCS, JobPhase.LOCAL)  # WHMCS is read meanwhile
    assert not job.local_complete
    assert job.local_cursor is not None
    staged = await models.OnboardingRow.filter(job_id=job.id, side=models.Side.LOCAL).count()
    assert staged == job.local_done
    assert 8 <= staged < 20
    whmcs_left = list(range(job.whmcs_next_offset, 25, 10)) if job.phase is JobPhase.WHMCS else []

    world.whmcs.calls.clear()
    store = world.bridge.local_clients
    walk = store.stream
    read_again: list[LocalId] = []

    async def counted(*, batch: int = 500, after: LocalId | None = None) -> AsyncIterator[Any]:
        async for client in walk(batch=batch, after=after):
            read_again.append(client.id)
            yield client

    monkeypatch.setattr(store, "stream", counted)
    rest = world.onboarding(10, local_batch=4)
    lease, resumed = await rest.start(JobKind.RECONCILE, applying=False)
    assert resumed
    result = await rest.run(lease, resumed)
    offsets = [int(c["limitstart"]) for c in world.whmcs.calls_for("GetClients")]
    assert offsets == whmcs_left  # only what was not read before
    assert len(read_again) == 20 - staged  # nor the local clients staged before
    assert result.job.local_done == 20
    assert result.summary == whole.summary
    assert await _report(job.id, tmp_path / "resumed.json") == expected


async def test_one_run_at_a_time_a_crashed_runs_lease_expires(world: World, cast: Cast) -> None:
    first = world.onboarding()
    lease, _ = await first.start(JobKind.RECONCILE, applying=False)
    # A second run, in this process or another, is refused while the lease is held.
    with pytest.raises(OnboardingBusy, match="running in another process"):
        await world.onboarding().start(JobKind.RECONCILE, applying=True)
    with pytest.raises(OnboardingBusy):
        await world.onboarding().start(JobKind.IMPORT, applying=False)
    assert await OnboardingJob.all().count() == 1
    # The first one "crashes": it never gives the lease up. Once it expires, a run resumes it.
    await asyncio.sleep(1.1)
    second = world.onboarding()
    lease2, resumed = await second.start(JobKind.RECONCILE, applying=False)
    assert resumed
    assert lease2.job.id == lease.job.id
    result = await second.run(lease2, resumed)
    assert result.summary["would_link"] == 1
    # The crashed holder cannot write over it any more.
    with pytest.raises(OnboardingBusy, match="taken over"):
        await lease.save(whmcs_done=0)


async def test_two_concurrent_runs_the_second_is_refused_and_the_first_finishes(
    world: World, cast: Cast
) -> None:
    world.whmcs.latency_ms = 100
    first = world.onboarding(page_size=2)
    lease, _ = await first.start(JobKind.RECONCILE, applying=False)
    running = asyncio.create_task(first.run(lease))
    await asyncio.sleep(0.05)
    with pytest.raises(OnboardingBusy):
        await world.onboarding().start(JobKind.RECONCILE, applying=False)
    result = await running
    assert result.summary["would_link"] == 1
    assert await OnboardingJob.filter(active__isnull=False).count() == 0


async def test_push_settles_an_unanswered_create_before_anything_else(
    world: World, cast: Cast
) -> None:
    world.whmcs.faults.push(Fault("drop", action="AddClient", after_commit=True))
    with pytest.raises(WhmcsUnusable):
        await world.run(JobKind.PUSH, applying=True)
    assert world.whmcs_calls("AddClient") == 1  # WHMCS created dave; the answer was lost
    row = await models.SyncMap.get(local_id=cast.dave_l)
    assert (row.status, row.whmcs_id) == (models.SyncStatus.PENDING, None)

    # Stopped while applying: only the same command with --apply finishes it.
    for kind, applying in ((JobKind.PUSH, False), (JobKind.RECONCILE, True)):
        with pytest.raises(OnboardingBusy, match="push --unlinked --apply"):
            await world.onboarding().start(kind, applying=applying)
    done = await world.run(JobKind.PUSH, applying=True)  # resumes the job where it acted
    assert done.resumed
    assert world.whmcs_calls("AddClient") == 1  # never a second WHMCS client for dave
    dave = [c for c in world.whmcs.clients.values() if c.email == "dave@example.org"]
    assert len(dave) == 1
    row = await models.SyncMap.get(local_id=cast.dave_l)
    assert (row.status, row.whmcs_id) == (models.SyncStatus.SYNCED, dave[0].id)
    outcome = await models.OnboardingRow.get(job_id=done.job.id, record_id=str(cast.dave_l))
    assert outcome.outcome == "CREATED"


async def test_a_refused_record_is_its_outcome_and_the_run_goes_on(
    world: World, cast: Cast
) -> None:
    eve = await world.add_local("Eve", "Empty", "eve@example.org", country=None)
    world.whmcs.calls.clear()
    done = await world.run(JobKind.PUSH, applying=True)
    rows = dict(
        await models.OnboardingRow.filter(job_id=done.job.id, side=models.Side.LOCAL)
        .filter(category=models.Category.LOCAL_ONLY)
        .values_list("record_id", "outcome")
    )
    assert rows == {str(cast.dave_l): "CREATED", str(eve): "FAILED"}
    assert done.job.act_failed == 1
    assert world.whmcs_calls("AddClient") == 1
