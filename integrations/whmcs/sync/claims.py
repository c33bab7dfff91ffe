"""Claims on a record, held in the database so that every server process sees them.

A claim is a lease on the record's sync-map row: `lease_token` plus `lease_expires_at`. Taking it
is one conditional UPDATE (or the INSERT of a new row, guarded by the unique key), so two
processes can never both hold it. A crashed holder's lease simply expires.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

import models
from integrations.whmcs.sync.errors import SyncInProgress
from integrations.whmcs.sync.store import LocalId


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(slots=True)
class Claim:
    row: models.SyncMap
    token: str
    created: bool  # the row was inserted by this claim (nothing was linked before)
    touched: bool = False  # a WHMCS write was attempted under this claim
    # The row was PENDING and nobody held it: an earlier write's outcome is unknown.
    inherited_unknown: bool = False


class Claims:
    def __init__(self, *, lease_s: float, clock: Callable[[], datetime.datetime] = utcnow) -> None:
        self._lease = datetime.timedelta(seconds=lease_s)
        self._clock = clock

    async def claim_local(self, entity_type: models.EntityType, local_id: LocalId) -> Claim:
        """Claim the link row of a local record, creating an empty PENDING row if there is none."""
        token = str(uuid.uuid4())
        now = self._clock()
        row = await models.SyncMap.get_or_none(entity_type=entity_type, local_id=local_id)
        if row is None:
            try:
                row = await models.SyncMap.create(
                    entity_type=entity_type,
                    local_id=local_id,
                    whmcs_id=None,
                    status=models.SyncStatus.PENDING,
                    last_error="An operation is starting.",
                    lease_token=token,
                    lease_expires_at=now + self._lease,
                )
            except IntegrityError:
                raise SyncInProgress(local_id=local_id) from None
            return Claim(row, token, created=True)
        inherited_unknown = self.is_stale(row)
        taken = (
            await models.SyncMap.filter(id=row.id)
            .filter(Q(lease_token__isnull=True) | Q(lease_expires_at__lt=now))
            .update(lease_token=token, lease_expires_at=now + self._lease)
        )
        if taken != 1:
            raise SyncInProgress(local_id=local_id)
        await row.refresh_from_db()
        return Claim(row, token, created=False, inherited_unknown=inherited_unknown)

    async def release(self, claim: Claim) -> None:
        """Give the claim up; a row this claim created and never used is removed again."""
        query = models.SyncMap.filter(id=claim.row.id, lease_token=claim.token)
        if claim.created and not claim.touched:
            await query.filter(whmcs_id__isnull=True).delete()
        await query.update(lease_token=None, lease_expires_at=None)

    def is_stale(self, row: models.SyncMap) -> bool:
        """A PENDING row whose holder is gone: its outcome is unknown."""
        return row.status == models.SyncStatus.PENDING and (
            row.lease_expires_at is None or row.lease_expires_at < self._clock()
        )
