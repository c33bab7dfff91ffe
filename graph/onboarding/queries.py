"""reconcileJob: a reconcile job's progress and summary."""

from __future__ import annotations

import strawberry

import models
from graph.context import Info
from graph.inputs import parse_id
from graph.onboarding.types import ReconcileJob


@strawberry.type
class OnboardingQuery:
    @strawberry.field(
        description=(
            "An onboarding job by id; without one, the newest. Null when there is none. Poll it "
            "while `running` to show the progress."
        )
    )
    async def reconcile_job(
        self, info: Info, id: strawberry.ID | None = None
    ) -> ReconcileJob | None:
        query = models.OnboardingJob.all()
        if id is not None:
            number = parse_id(id)
            if number is None:  # no job can have it
                return None
            query = query.filter(id=number)
        job = await query.order_by("-id").first()
        return ReconcileJob.from_model(job) if job is not None else None
