"""One onboarding run: take the job, walk both sides, sort, act (with --apply), finish.

`Onboarding.start` takes the job (resuming an unfinished one); `run` carries it to its end from
wherever it stopped. Whatever stops a run (WHMCS unusable, Ctrl-C, a bug) gives the lease up
with the progress saved, so the next run resumes; a crash leaves the lease to expire.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from integrations.whmcs.records import WhmcsClientPage
from integrations.whmcs.sync.audit import Audit
from integrations.whmcs.sync.bridge import Bridge
from integrations.whmcs.sync.errors import SyncError
from integrations.whmcs.sync.onboarding.act import Actor
from integrations.whmcs.sync.onboarding.lease import Lease, LeaseLost, take
from integrations.whmcs.sync.onboarding.sort import sort_rows, summary
from integrations.whmcs.sync.onboarding.stage import stage_local, stage_whmcs
from integrations.whmcs.sync.store import LocalStore
from models import JobKind, JobPhase, OnboardingJob, SyncOperation

PAGE_SIZE = 250  # GetClients rows per call
LOCAL_BATCH = 500

Progress = Callable[[OnboardingJob], None]


@dataclass(frozen=True, slots=True)
class RunResult:
    job: OnboardingJob
    resumed: bool
    summary: dict[str, int]


class Onboarding:
    def __init__(
        self,
        bridge: Bridge,
        store: LocalStore | None = None,
        *,
        actor: str | None,
        page_size: int = PAGE_SIZE,
        local_batch: int = LOCAL_BATCH,
        on_progress: Progress | None = None,
    ) -> None:
        self._bridge = bridge
        # The local side only through a LocalStore: the bridge's (open_client_store(mapping)),
        # the one the single operations that --apply runs use too.
        self._store = store if store is not None else bridge.local_clients
        self._actor = actor
        self._page_size = page_size
        self._local_batch = local_batch
        self._on_progress = on_progress or (lambda job: None)

    @property
    def concurrency(self) -> int:
        whmcs = self._bridge.whmcs
        return whmcs.max_concurrency if whmcs is not None else 1

    async def start(self, kind: JobKind, *, applying: bool) -> tuple[Lease, bool]:
        """Take the job; OnboardingBusy when another run holds it, WhmcsUnusable when off."""
        self._bridge.pulls(self._list_audit()).require_whmcs()
        return await take(kind, applying, lease_s=self._bridge.options.lease_s, actor=self._actor)

    async def run(self, lease: Lease, resumed: bool = False) -> RunResult:
        job = lease.job
        try:
            await self._phases(lease)
            counts = await summary(job.id)
            await lease.finish(counts)
            return RunResult(job, resumed, counts)
        except SyncError as exc:
            with contextlib.suppress(LeaseLost):  # then the job is another run's now
                await lease.save(last_error=exc.message)
            raise
        finally:
            await lease.release()

    async def _phases(self, lease: Lease) -> None:
        job = lease.job

        def report() -> None:
            self._on_progress(job)

        report()
        if job.phase in (JobPhase.WHMCS, JobPhase.LOCAL):
            # Both sides at once: the local side is staged while WHMCS answers.
            work: list[Coroutine[Any, Any, None]] = []
            if job.phase is JobPhase.WHMCS:
                work.append(
                    stage_whmcs(
                        lease,
                        self._fetch,
                        page_size=self._page_size,
                        concurrency=self.concurrency,
                        on_page=report,
                    )
                )
            if not job.local_complete:
                work.append(
                    stage_local(
                        lease,
                        self._store,
                        self._bridge.mapping,
                        batch=self._local_batch,
                        on_batch=report,
                    )
                )
            await _all_or_none(work)
            await lease.save(phase=JobPhase.SORT)
        if job.phase is JobPhase.SORT:
            await sort_rows(lease, on_batch=report)
        if job.phase is JobPhase.ACT:
            actor = Actor(self._bridge, self._store, self._actor)
            await actor.run(lease, concurrency=self.concurrency, on_batch=report)
        await lease.save(last_error=None)

    def _list_audit(self) -> Audit:
        return self._bridge.audit(
            SyncOperation.LIST, correlation_id=str(uuid.uuid4()), actor=self._actor
        )

    async def _fetch(self, offset: int, limit: int) -> WhmcsClientPage:
        """One GetClients page, fresh (never the read cache), audited as a LIST."""
        sync = self._bridge.pulls(self._list_audit())
        whmcs = sync.whmcs
        return await sync.call(lambda: whmcs.clients.search(offset=offset, limit=limit))


async def _all_or_none(work: list[Coroutine[Any, Any, None]]) -> None:
    """Run them together; the first failure cancels the others (their progress is saved)."""
    tasks = [asyncio.ensure_future(w) for w in work]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
