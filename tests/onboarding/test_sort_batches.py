"""The sort a few rows at a time: groups across batches, and a sort stopped between batches and
resumed from its cursor, come to the categories one batch gives (the rows read as plain values,
written with one UPDATE per category and batch)."""

from __future__ import annotations

import pytest

import models
from integrations.whmcs.sync.onboarding import sort
from models import JobKind, JobPhase, OnboardingJob
from tests.onboarding.conftest import SUMMARY, Cast, World


class SortStoppedError(Exception):
    pass


async def _categories(job_id: int) -> dict[tuple[str, str], str | None]:
    rows = await models.OnboardingRow.filter(job_id=job_id).values_list(
        "side", "record_id", "category"
    )
    return {(str(side), record): None if c is None else str(c) for side, record, c in rows}


def _expected(cast: Cast) -> dict[tuple[str, str], str]:
    w, lo = "W", "L"
    return {
        (w, str(cast.alice_w)): "linked",
        (lo, str(cast.alice_l)): "linked",
        (w, str(cast.bob_w)): "would_link",
        (lo, str(cast.bob_l)): "would_link",
        (w, str(cast.carol_w)): "conflict",
        (lo, str(cast.carol_l)): "conflict",
        (lo, str(cast.dave_l)): "local_only",
        (w, str(cast.erin_w)): "whmcs_only",
        (w, str(cast.frank_w1)): "ambiguous",
        (w, str(cast.frank_w2)): "ambiguous",
        (lo, str(cast.frank_l)): "ambiguous",
    }


@pytest.mark.parametrize("batch", [1, 2, 3])
async def test_small_batches_sort_as_one_batch_does(
    world: World, cast: Cast, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(sort, "BATCH", batch)

    result = await world.run()

    assert result.summary == SUMMARY
    assert await _categories(result.job.id) == _expected(cast)


async def test_a_sort_stopped_between_batches_resumes_at_its_cursor(
    world: World, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sort, "BATCH", 2)
    cursors: list[str | None] = []

    def stop_once(job: OnboardingJob) -> None:
        if job.phase is JobPhase.SORT and job.sort_cursor and not cursors:
            cursors.append(job.sort_cursor)
            raise SortStoppedError

    onboarding = world.onboarding(on_progress=stop_once)
    lease, _ = await onboarding.start(JobKind.RECONCILE, applying=False)
    with pytest.raises(SortStoppedError):
        await onboarding.run(lease)
    job = await OnboardingJob.get(id=lease.job.id)
    assert job.phase is JobPhase.SORT
    assert job.sort_cursor == cursors[0] != ""
    decided = {k: v for k, v in (await _categories(job.id)).items() if v is not None}
    assert decided  # some groups were written before the stop
    assert len(decided) < len(_expected(cast))

    result = await world.run()

    assert result.resumed
    assert result.job.id == job.id
    assert result.summary == SUMMARY
    assert await _categories(job.id) == _expected(cast)
