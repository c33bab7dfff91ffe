"""--apply: what the sort found, done record by record through the single operations.

Reconcile links each "would link" pair (`linkClient`'s code), import pulls each WHMCS-only
client (`pullClient`'s), push pushes each local-only client (`pushClient`'s, which never creates
a second WHMCS client for one e-mail and settles an unanswered create before anything else).
Each one has its own audit entry, as if it had been asked for alone. A record's outcome is
stored with it, so a rerun after an interruption goes on with the records not done yet; a
refusal of one record (already linked meanwhile, invalid data) is its outcome and the run goes
on; WHMCS becoming unusable stops the run, to be resumed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import models
from integrations.whmcs.sync.audit import Audit
from integrations.whmcs.sync.bridge import Bridge
from integrations.whmcs.sync.errors import SyncError, WhmcsUnusable
from integrations.whmcs.sync.onboarding.lease import Lease
from integrations.whmcs.sync.store import LocalStore
from models import Category, JobKind, OnboardingRow, Side

# Stop the run (to be resumed) rather than record a failure per record.
STOPPING = ("UNAVAILABLE", "AUTH", "DISABLED")


@dataclass(frozen=True, slots=True)
class Target:
    row_id: int
    whmcs_id: int | None
    local_id: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    outcome: str
    detail: str


WHAT = {
    JobKind.RECONCILE: (Side.WHMCS, Category.WOULD_LINK),
    JobKind.IMPORT: (Side.WHMCS, Category.WHMCS_ONLY),
    JobKind.PUSH: (Side.LOCAL, Category.LOCAL_ONLY),
}


class Actor:
    def __init__(self, bridge: Bridge, store: LocalStore, actor: str | None) -> None:
        self._bridge = bridge
        self._store = store
        self._actor = actor

    async def run(self, lease: Lease, *, concurrency: int, on_batch: Callable[[], None]) -> None:
        job = lease.job
        side, category = WHAT[job.kind]
        if job.act_total is None:
            total = await OnboardingRow.filter(job_id=job.id, side=side, category=category).count()
            await lease.save(act_total=total)
        last = 0
        while True:
            rows = (
                await OnboardingRow.filter(
                    job_id=job.id, side=side, category=category, outcome__isnull=True, id__gt=last
                )
                .order_by("id")
                .limit(concurrency * 4)
            )
            if not rows:
                return
            last = rows[-1].id
            targets = await self._targets(job.id, job.kind, rows)
            gate = asyncio.Semaphore(concurrency)
            results = await asyncio.gather(
                *(self._one(job.kind, job.id, t, gate) for t in targets), return_exceptions=True
            )
            stop: BaseException | None = None
            done = failed = 0
            for target, result in zip(targets, results, strict=True):
                if isinstance(result, Outcome):
                    await OnboardingRow.filter(id=target.row_id).update(
                        outcome=result.outcome, outcome_detail=result.detail
                    )
                    failed += result.outcome == "FAILED"
                    done += result.outcome != "FAILED"
                elif stop is None:
                    stop = result
            await lease.save(act_done=job.act_done + done, act_failed=job.act_failed + failed)
            on_batch()
            if stop is not None:
                raise stop

    async def _targets(self, job_id: int, kind: JobKind, rows: list[OnboardingRow]) -> list[Target]:
        if kind is JobKind.PUSH:
            return [Target(r.id, None, r.record_id) for r in rows]
        if kind is JobKind.IMPORT:
            return [Target(r.id, int(r.record_id), None) for r in rows]
        # A would-link pair: the local row of the same e-mail.
        partners = dict(
            await OnboardingRow.filter(
                job_id=job_id,
                side=Side.LOCAL,
                category=Category.WOULD_LINK,
                email_key__in=[r.email_key for r in rows],
            ).values_list("email_key", "record_id")
        )
        return [Target(r.id, int(r.record_id), partners.get(r.email_key)) for r in rows]

    async def _one(
        self, kind: JobKind, job_id: int, target: Target, gate: asyncio.Semaphore
    ) -> Outcome:
        async with gate:
            operation = {
                JobKind.RECONCILE: models.SyncOperation.LINK,
                JobKind.IMPORT: models.SyncOperation.PULL,
                JobKind.PUSH: models.SyncOperation.PUSH,
            }[kind]
            audit = self._bridge.audit(
                operation, correlation_id=str(uuid.uuid4()), actor=self._actor
            )
            work: Callable[[], Awaitable[Outcome]]
            if kind is JobKind.RECONCILE:
                work = lambda: self._link(audit, job_id, target)  # noqa: E731
            elif kind is JobKind.IMPORT:
                work = lambda: self._import(audit, target)  # noqa: E731
            else:
                work = lambda: self._push(audit, target)  # noqa: E731
            try:
                return await work()
            except WhmcsUnusable as exc:
                await audit.failed(exc.message)
                if exc.kind in STOPPING:
                    raise
                return Outcome("FAILED", exc.message)
            except SyncError as exc:
                await audit.failed(exc.message)
                return Outcome("FAILED", exc.message)

    async def _link(self, audit: Audit, job_id: int, target: Target) -> Outcome:
        assert target.whmcs_id is not None
        if target.local_id is None:  # its local row changed e-mail group: sorted afresh next run
            return Outcome("FAILED", "the local client of this pair was not found")
        local_id = self._store.parse_id(target.local_id)
        await self._bridge.pulls(audit).link(local_id, target.whmcs_id)
        await audit.succeeded(
            f"Linked by onboarding job {job_id}: local client {local_id} <-> WHMCS client "
            f"{target.whmcs_id} (same e-mail, same fields)."
        )
        return Outcome("LINKED", f"local client {local_id} <-> WHMCS client {target.whmcs_id}")

    async def _import(self, audit: Audit, target: Target) -> Outcome:
        assert target.whmcs_id is not None
        result = await self._bridge.pulls(audit).pull(target.whmcs_id, local_id=None)
        detail = f"WHMCS client {target.whmcs_id} -> local client {result.client.id}"
        return Outcome(result.operation.value, detail)

    async def _push(self, audit: Audit, target: Target) -> Outcome:
        assert target.local_id is not None
        local_id = self._store.parse_id(target.local_id)
        result = await self._bridge.pushes(audit).push(
            local_id, force_create=False, link_existing=False
        )
        return Outcome(
            result.operation.value, f"local client {local_id} -> WHMCS client {result.whmcs_id}"
        )
