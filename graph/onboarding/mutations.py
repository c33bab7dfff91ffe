"""startReconcile: the CLI's `whmcs-bridge reconcile [--apply]`, run by the server.

The job is taken (or an unfinished one resumed) before the answer, so a refusal is the answer;
it then runs in this process, in the background, renewing its lease as it goes. A server that
stops (or dies) leaves it unfinished: the next startReconcile, or `whmcs-bridge reconcile`,
resumes it.
"""

from __future__ import annotations

import asyncio
import logging

import strawberry

from graph.context import Info
from graph.errors import to_member
from graph.onboarding.types import ReconcileJob, StartReconcileResult, StartReconcileSuccess
from integrations.whmcs.sync.errors import SyncError
from integrations.whmcs.sync.onboarding import Onboarding
from integrations.whmcs.sync.onboarding.lease import Lease
from models import JobKind, SyncOperation

logger = logging.getLogger(__name__)
# The running jobs of this process: a task nobody holds may be collected mid-run.
_RUNNING: set[asyncio.Task[object]] = set()


@strawberry.type
class OnboardingMutation:
    @strawberry.mutation(
        description=(
            "Starts the reconcile job (`whmcs-bridge reconcile`): every WHMCS and every local "
            "client sorted into linked, would link, conflict, local only, WHMCS only and "
            "ambiguous; with apply, the would-link pairs are linked (each audited), nothing is "
            "ever created. Resumes an unfinished job; SyncInProgressError while another run "
            "holds it. Follow it with reconcileJob."
        )
    )
    async def start_reconcile(self, info: Info, apply: bool = False) -> StartReconcileResult:
        bridge = info.context.bridge
        onboarding = Onboarding(bridge, actor=info.context.actor)
        try:
            lease, resumed = await onboarding.start(JobKind.RECONCILE, applying=apply)
        except SyncError as exc:
            await info.context.audit(SyncOperation.LIST).failed(exc.message)
            return to_member(exc)
        task: asyncio.Task[object] = asyncio.create_task(_run(onboarding, lease, resumed))
        _RUNNING.add(task)
        task.add_done_callback(_RUNNING.discard)
        return StartReconcileSuccess(job=ReconcileJob.from_model(lease.job), resumed=resumed)


async def _run(onboarding: Onboarding, lease: Lease, resumed: bool) -> object:
    try:
        return await onboarding.run(lease, resumed)
    except SyncError as exc:  # recorded on the job (lastError); resumable
        logger.warning("Reconcile job %s stopped: %s", lease.job.id, exc.message)
    except Exception:
        logger.exception("Reconcile job %s failed", lease.job.id)
    return None
