"""The reconcile job as GraphQL sees it."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

import models
from graph.types.errors import SyncInProgressError, WhmcsError
from integrations.whmcs.sync.claims import utcnow

ReconcilePhase = strawberry.enum(
    models.JobPhase,
    name="ReconcilePhase",
    description=(
        "WHMCS: reading WHMCS's clients; LOCAL: reading the local clients; SORT: sorting them; "
        "ACT: linking the would-link pairs (apply); DONE: finished."
    ),
)
OnboardingKind = strawberry.enum(
    models.JobKind,
    name="OnboardingKind",
    description=(
        "What the job was started for: RECONCILE (startReconcile or `whmcs-bridge reconcile`), "
        "IMPORT (`whmcs-bridge import`) or PUSH (`whmcs-bridge push --unlinked`)."
    ),
)


@strawberry.type(description="How a reconcile sorted the clients: pairs count once.")
class ReconcileSummary:
    linked: int = strawberry.field(description="Pairs already linked.")
    would_link: int = strawberry.field(
        description="Pairs of one e-mail (case-insensitive) whose listed fields agree."
    )
    conflicts: int = strawberry.field(
        description="Pairs of one e-mail whose names or company differ: never linked by apply."
    )
    local_only: int = strawberry.field(description="Local clients without a WHMCS match.")
    whmcs_only: int = strawberry.field(description="WHMCS clients without a local match.")
    ambiguous: int = strawberry.field(
        description="Records whose e-mail is on several records (each counts)."
    )

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> ReconcileSummary:
        return cls(
            linked=counts["linked"],
            would_link=counts["would_link"],
            conflicts=counts["conflicts"],
            local_only=counts["local_only"],
            whmcs_only=counts["whmcs_only"],
            ambiguous=counts["ambiguous"],
        )


@strawberry.type(
    description=(
        "One onboarding run over every WHMCS and every local client, resumable where it stopped. "
        "At most one is unfinished at a time."
    )
)
class ReconcileJob:
    id: strawberry.ID
    kind: OnboardingKind  # type: ignore[valid-type]
    apply: bool = strawberry.field(description="Links the would-link pairs once sorted.")
    phase: ReconcilePhase  # type: ignore[valid-type]
    running: bool = strawberry.field(description="A process is working on it right now.")
    whmcs_total: int | None = strawberry.field(
        description="WHMCS's client count, once its first page is read."
    )
    whmcs_read: int
    local_read: int
    apply_total: int | None = strawberry.field(
        description="Records to act on, once applying starts."
    )
    applied: int
    apply_failed: int = strawberry.field(
        description="Records apply could not do (each row says why in the CLI's report)."
    )
    summary: ReconcileSummary | None = strawberry.field(description="Null until it is DONE.")
    last_error: str | None = strawberry.field(
        description="Why its last run stopped (WHMCS unusable...); the next run resumes it."
    )
    started_at: datetime.datetime
    updated_at: datetime.datetime
    finished_at: datetime.datetime | None

    @classmethod
    def from_model(cls, job: models.OnboardingJob) -> ReconcileJob:
        held = job.lease_token is not None and (
            job.lease_expires_at is not None and job.lease_expires_at > utcnow()
        )
        return cls(
            id=strawberry.ID(str(job.id)),
            kind=job.kind,
            apply=job.applying,
            phase=job.phase,
            running=held,
            whmcs_total=job.whmcs_total,
            whmcs_read=job.whmcs_done,
            local_read=job.local_done,
            apply_total=job.act_total,
            applied=job.act_done,
            apply_failed=job.act_failed,
            summary=ReconcileSummary.from_counts(job.summary) if job.summary else None,
            last_error=job.last_error,
            started_at=job.created_at,
            updated_at=job.updated_at,
            finished_at=job.finished_at,
        )


@strawberry.type
class StartReconcileSuccess:
    job: ReconcileJob
    resumed: bool = strawberry.field(
        description="An unfinished job was taken up where it stopped, rather than a new one."
    )


StartReconcileResult = Annotated[
    StartReconcileSuccess | SyncInProgressError | WhmcsError,
    strawberry.union("StartReconcileResult"),
]
