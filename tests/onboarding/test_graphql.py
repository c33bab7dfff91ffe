"""startReconcile and reconcileJob: the same job as the CLI's, followed from the API."""

from __future__ import annotations

import asyncio
from typing import Any

import models
from tests.onboarding.conftest import SUMMARY, Cast, World
from whmcs_bridge.tokens import create_token

START = """
mutation Start($apply: Boolean!) {
  startReconcile(apply: $apply) {
    __typename
    ... on StartReconcileSuccess { resumed job { id kind apply phase running } }
    ... on Error { code message }
  }
}
"""
JOB = """
query Job($id: ID) {
  reconcileJob(id: $id) {
    id kind apply phase running whmcsTotal whmcsRead localRead applyTotal applied applyFailed
    lastError finishedAt
    summary { linked wouldLink conflicts localOnly whmcsOnly ambiguous }
  }
}
"""
CAMEL = {
    "linked": "linked",
    "would_link": "wouldLink",
    "conflicts": "conflicts",
    "local_only": "localOnly",
    "whmcs_only": "whmcsOnly",
    "ambiguous": "ambiguous",
}


async def _finished(world: World, job_id: str) -> dict[str, Any]:
    for _ in range(200):
        job: dict[str, Any] = (await world.api.gql(JOB, {"id": job_id}))["reconcileJob"]
        if job["phase"] == "DONE":
            return job
        await asyncio.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def test_start_reconcile_runs_the_job_and_reconcile_job_reports_it(
    world: World, cast: Cast
) -> None:
    assert (await world.api.gql(JOB))["reconcileJob"] is None
    started = (await world.api.gql(START, {"apply": True}))["startReconcile"]
    assert started["__typename"] == "StartReconcileSuccess", started
    assert started["resumed"] is False
    assert started["job"]["kind"] == "RECONCILE"
    assert started["job"]["apply"] is True
    assert started["job"]["running"] is True

    job = await _finished(world, started["job"]["id"])
    assert job["summary"] == {CAMEL[k]: v for k, v in SUMMARY.items()}
    assert (job["whmcsTotal"], job["whmcsRead"], job["localRead"]) == (6, 6, 5)
    assert (job["applyTotal"], job["applied"], job["applyFailed"]) == (1, 1, 0)
    assert job["running"] is False
    assert job["finishedAt"]
    link = await models.SyncMap.get(local_id=cast.bob_l)
    assert link.whmcs_id == cast.bob_w  # the would-link pair, linked
    audit = await models.SyncLog.filter(
        operation=models.SyncOperation.LINK, local_id=cast.bob_l, actor="tests"
    ).count()
    assert audit >= 1  # the test token's name: the mutation's actor
    # Without an id: the newest job.
    assert (await world.api.gql(JOB))["reconcileJob"]["id"] == started["job"]["id"]
    assert (await world.api.gql(JOB, {"id": "999"}))["reconcileJob"] is None
    assert (await world.api.gql(JOB, {"id": "not a number"}))["reconcileJob"] is None


async def test_a_second_start_while_one_runs_is_refused(world: World, cast: Cast) -> None:
    world.whmcs.latency_ms = 50
    first = (await world.api.gql(START, {"apply": False}))["startReconcile"]
    assert first["__typename"] == "StartReconcileSuccess"
    second = (await world.api.gql(START, {"apply": True}))["startReconcile"]
    assert second["__typename"] == "SyncInProgressError", second
    assert second["code"] == "SYNC_IN_PROGRESS"
    assert "is running in another process" in second["message"]
    await _finished(world, first["job"]["id"])
    assert await models.OnboardingJob.all().count() == 1


async def test_a_read_token_follows_the_job_but_may_not_start_one(world: World, cast: Cast) -> None:
    reader = await create_token("reader", models.TokenScope.READ)
    refused = await world.api.raw(START, {"apply": False}, Authorization=f"Bearer {reader}")
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await models.OnboardingJob.all().count() == 0
    read = await world.api.raw(JOB, Authorization=f"Bearer {reader}")
    assert read == {"data": {"reconcileJob": None}}
