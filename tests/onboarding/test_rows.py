"""Staged rows written as plain values (one statement a batch): a page staged twice is kept
once, as first staged, on every engine; what is read back is what the models read."""

from __future__ import annotations

import models
from integrations.whmcs.sync.onboarding.rows import insert, staged
from models import JobKind, OnboardingRow, Side
from tests.onboarding.conftest import World


async def test_a_page_staged_twice_is_kept_once_as_first_staged(world: World) -> None:
    job = await models.OnboardingJob.create(kind=JobKind.RECONCILE)
    first = [
        staged(job.id, Side.WHMCS, "1", "a@example.org", {"firstname": "Ann", "email": None}, "7"),
        staged(job.id, Side.WHMCS, "2", "b@example.org", {"firstname": 'Bé / "q"'}, None),
    ]
    again = [
        staged(job.id, Side.WHMCS, "2", "changed@example.org", {"firstname": "Other"}, None),
        staged(job.id, Side.WHMCS, "3", "c@example.org", {}, None),
        staged(job.id, Side.LOCAL, "2", "b@example.org", {"firstname": "Bé"}, "2"),  # other side
    ]

    await insert(first)
    await insert(again)
    await insert(first)

    rows = await OnboardingRow.filter(job_id=job.id).order_by("side", "record_id")
    assert [(r.side, r.record_id, r.email_key, r.data, r.link_id) for r in rows] == [
        (Side.LOCAL, "2", "b@example.org", {"firstname": "Bé"}, "2"),
        (Side.WHMCS, "1", "a@example.org", {"firstname": "Ann", "email": None}, "7"),
        (Side.WHMCS, "2", "b@example.org", {"firstname": 'Bé / "q"'}, None),
        (Side.WHMCS, "3", "c@example.org", {}, None),
    ]
    assert all(r.category is None and r.outcome is None for r in rows)


async def test_nothing_to_write_writes_nothing(world: World) -> None:
    await insert([])

    assert await OnboardingRow.all().count() == 0
