"""One onboarding run at a time, across every process: the unfinished job and its lease.

At most one job is unfinished (`active` is unique). A run takes that job's lease with one
conditional UPDATE (or creates the job, guarded by the unique column), renews it as it goes,
and gives it up when it stops, however it stops; a crashed run's lease simply expires, and the
next run resumes the job from its recorded progress.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from integrations.whmcs.sync.claims import utcnow
from integrations.whmcs.sync.errors import SyncInProgress
from models import JobKind, JobPhase, OnboardingJob, OnboardingRow

ACTIVE = "onboarding"
COMMANDS = {
    JobKind.RECONCILE: "whmcs-bridge reconcile --apply",
    JobKind.IMPORT: "whmcs-bridge import --apply",
    JobKind.PUSH: "whmcs-bridge push --unlinked --apply",
}


class OnboardingBusy(SyncInProgress):
    """Another run holds the onboarding job; nothing was done."""

    def __init__(self, job_id: int | None, message: str) -> None:
        super().__init__(message=message)
        self.job_id = job_id


class LeaseLost(OnboardingBusy):
    """The lease ran out while this run worked and another run took the job over."""


@dataclass(slots=True)
class Lease:
    job: OnboardingJob
    token: str
    seconds: float

    def _until(self) -> datetime.datetime:
        return utcnow() + datetime.timedelta(seconds=self.seconds)

    async def save(self, *, release: bool = False, **changes: Any) -> None:
        """Record progress and renew the lease (or give it up), in one UPDATE that only its
        holder can make."""
        if release:
            changes.update(lease_token=None, lease_expires_at=None)
        else:
            changes["lease_expires_at"] = self._until()
        changes["updated_at"] = utcnow()
        taken = await OnboardingJob.filter(id=self.job.id, lease_token=self.token).update(**changes)
        if not taken:
            raise LeaseLost(
                self.job.id,
                f"Onboarding job {self.job.id} was taken over by another run (this one held "
                "its lease too long without renewing it); this run stops.",
            )
        for name, value in changes.items():
            setattr(self.job, name, value)

    async def finish(self, summary: dict[str, int]) -> None:
        """DONE, and the lease given up in the same UPDATE: never seen DONE yet running."""
        await self.save(
            release=True, phase=JobPhase.DONE, active=None, summary=summary, finished_at=utcnow()
        )

    async def release(self) -> None:
        await OnboardingJob.filter(id=self.job.id, lease_token=self.token).update(
            lease_token=None, lease_expires_at=None
        )
        self.job.lease_token = None
        self.job.lease_expires_at = None


async def take(
    kind: JobKind, applying: bool, *, lease_s: float, actor: str | None
) -> tuple[Lease, bool]:
    """The unfinished job, resumed, or a new one; True when it resumes. OnboardingBusy when
    another run holds it (or it stopped while acting for another command)."""
    token = str(uuid.uuid4())
    now = utcnow()
    until = now + datetime.timedelta(seconds=lease_s)
    job = await OnboardingJob.get_or_none(active=ACTIVE)
    if job is None:
        try:
            job = await OnboardingJob.create(
                kind=kind,
                applying=applying,
                active=ACTIVE,
                lease_token=token,
                lease_expires_at=until,
                runs=1,
                actor=actor,
            )
        except IntegrityError:
            raise OnboardingBusy(
                None, "Another onboarding run is starting right now; nothing was done."
            ) from None
        await _forget_old_rows(job.id)
        return Lease(job, token, lease_s), False
    if job.phase is JobPhase.ACT and (job.kind is not kind or not applying):
        raise OnboardingBusy(
            job.id,
            f"Onboarding job {job.id} ({job.kind.value.lower()}) stopped while applying; finish "
            f"it first with `{COMMANDS[job.kind]}`.",
        )
    changes: dict[str, Any] = {"lease_token": token, "lease_expires_at": until, "actor": actor}
    if job.phase is not JobPhase.ACT:  # still walking or sorting: any command can take it on
        changes.update(kind=kind, applying=applying)
    free = Q(lease_token__isnull=True) | Q(lease_expires_at__lt=now)
    taken = await OnboardingJob.filter(free, id=job.id).update(runs=F("runs") + 1, **changes)
    if not taken:
        raise OnboardingBusy(
            job.id,
            f"Onboarding job {job.id} is running in another process (its lease ends at "
            f"{_stamp(job.lease_expires_at)}); nothing was done. Watch it with "
            "`reconcileJob`, or run again once it has finished.",
        )
    await job.refresh_from_db()
    return Lease(job, token, lease_s), True


async def _forget_old_rows(keep_job: int) -> None:
    """Staged rows are kept for the newest finished job only (its report, `reconcileJob`)."""
    last = await OnboardingJob.filter(phase=JobPhase.DONE).order_by("-id").first()
    keep = [keep_job] + ([last.id] if last is not None else [])
    await OnboardingRow.exclude(job_id__in=keep).delete()


def _stamp(moment: datetime.datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else "unknown"
