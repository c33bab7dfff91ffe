"""Claims on a record, held in the database so that every server process sees them.

A claim is a lease on the record's sync-map row: `lease_token` plus `lease_expires_at`. Taking it
is one statement: a conditional ``UPDATE ... RETURNING`` of a free row (SQLite, PostgreSQL;
MariaDB, which has no UPDATE ... RETURNING, reads the row back after the UPDATE), or the INSERT
of a new row, guarded by the unique key. So two processes can never both hold it, and a crashed
holder's lease simply expires. `Claims.hold` is the one way operations use it: the claim is
given up on the way out, or, by `save_and_release`, in the operation's own final save.
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Case, F, Q, When
from tortoise.queryset import QuerySet

import models
from integrations.whmcs.sync.errors import SyncInProgress
from integrations.whmcs.sync.sql import update_returning
from integrations.whmcs.sync.store import LocalId

# The columns an operation's final save writes (everything but the key, the lease and created_at).
_SAVED = (
    "entity_type",
    "local_id",
    "whmcs_id",
    "status",
    "last_synced_at",
    "last_direction",
    "last_error",
    "snapshot",
    "unconfirmed",
)


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
    released: bool = False  # given up already (by the final save)


class Claims:
    def __init__(self, *, lease_s: float, clock: Callable[[], datetime.datetime] = utcnow) -> None:
        self._lease = datetime.timedelta(seconds=lease_s)
        self._clock = clock

    @contextlib.asynccontextmanager
    async def hold(
        self, entity_type: models.EntityType, local_id: LocalId, *, expect_new: bool = False
    ) -> AsyncIterator[Claim]:
        """Claim the link row of a local record for the block; released on the way out unless
        the block's final save released it (`save_and_release`)."""
        claim = await self.claim_local(entity_type, local_id, expect_new=expect_new)
        async with self.holding(claim):
            yield claim

    @contextlib.asynccontextmanager
    async def holding(self, claim: Claim) -> AsyncIterator[Claim]:
        """A claim taken already (`claim_linked`), held for the block as `hold` holds one."""
        try:
            yield claim
        finally:
            if not claim.released:
                await self.release(claim)

    async def claim_linked(self, entity_type: models.EntityType, whmcs_id: int) -> Claim | None:
        """The link row naming ``whmcs_id``, claimed: the lookup and the claim in one statement.
        None when there is no such row or somebody holds it (the caller then looks it up)."""
        token = str(uuid.uuid4())
        now = self._clock()
        taken = await self._lease_row(
            models.SyncMap.filter(entity_type=entity_type, whmcs_id=whmcs_id),
            token,
            now,
            lambda: models.SyncMap.filter(
                entity_type=entity_type, whmcs_id=whmcs_id, lease_token=token
            ),
        )
        if taken is None:
            return None
        return Claim(
            taken, token, created=False, inherited_unknown=taken.status == models.SyncStatus.PENDING
        )

    async def claim_local(
        self, entity_type: models.EntityType, local_id: LocalId, *, expect_new: bool = False
    ) -> Claim:
        """Claim the link row of a local record, creating an empty PENDING row if there is none.

        One statement when the guess is right: ``expect_new`` tries the INSERT first (a record
        never linked), else the conditional UPDATE of an existing row comes first."""
        token = str(uuid.uuid4())
        now = self._clock()
        if expect_new:
            created = await self._insert(entity_type, local_id, token, now)
            if created is not None:
                return created
            taken = await self._take(entity_type, local_id, token, now)
        else:
            taken = await self._take(entity_type, local_id, token, now)
            if taken is None:
                created = await self._insert(entity_type, local_id, token, now)
                if created is not None:
                    return created
        if taken is None:
            raise SyncInProgress(local_id=local_id, entity_type=entity_type)
        # The UPDATE takes only a row nobody holds: PENDING then means an outcome is unknown.
        return Claim(
            taken, token, created=False, inherited_unknown=taken.status == models.SyncStatus.PENDING
        )

    async def _insert(
        self, entity_type: models.EntityType, local_id: LocalId, token: str, now: datetime.datetime
    ) -> Claim | None:
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
            return None  # there is a row: taken below, or held by another operation
        return Claim(row, token, created=True)

    async def _take(
        self, entity_type: models.EntityType, local_id: LocalId, token: str, now: datetime.datetime
    ) -> models.SyncMap | None:
        """The existing row, leased to ``token`` if nobody holds it; None otherwise."""
        return await self._lease_row(
            models.SyncMap.filter(entity_type=entity_type, local_id=local_id),
            token,
            now,
            lambda: models.SyncMap.filter(
                entity_type=entity_type, local_id=local_id, lease_token=token
            ),
        )

    async def _lease_row(
        self,
        rows: QuerySet[models.SyncMap],
        token: str,
        now: datetime.datetime,
        read_back: Callable[[], QuerySet[models.SyncMap]],
    ) -> models.SyncMap | None:
        """The row ``rows`` selects (one at most: a unique key), leased to ``token`` if nobody
        holds it; None otherwise."""
        update = rows.filter(Q(lease_token__isnull=True) | Q(lease_expires_at__lt=now)).update(
            lease_token=token, lease_expires_at=now + self._lease
        )
        taken = await update_returning(models.SyncMap, update, read_back)
        return taken[0] if taken else None

    async def save_and_release(self, claim: Claim, *, now: datetime.datetime | None = None) -> None:
        """Save the claimed row as the operation left it and give the claim up: one UPDATE.

        Like a save followed by `release`: the row is written whatever holds it, the lease is
        cleared only while it is still this claim's."""
        row = claim.row
        row.updated_at = now or timezone.now()  # as a save's auto_now would
        values: dict[str, Any] = {name: getattr(row, name) for name in _SAVED}
        mine = When(lease_token=claim.token, then=None)  # type: ignore[arg-type]  # NULL
        await models.SyncMap.filter(id=row.id).update(
            **values,
            updated_at=row.updated_at,
            # lease_expires_at first: MariaDB evaluates SET from left to right.
            lease_expires_at=Case(mine, default=F("lease_expires_at")),
            lease_token=Case(mine, default=F("lease_token")),
        )
        if row.lease_token == claim.token:
            row.lease_token = None
            row.lease_expires_at = None
        claim.released = True

    async def release(self, claim: Claim) -> None:
        """Give the claim up; a row this claim created and never used is removed again."""
        query = models.SyncMap.filter(id=claim.row.id, lease_token=claim.token)
        if (
            claim.created
            and not claim.touched
            and await query.filter(whmcs_id__isnull=True).delete()
        ):
            claim.released = True
            return
        await query.update(lease_token=None, lease_expires_at=None)
        claim.released = True

    def is_stale(self, row: models.SyncMap) -> bool:
        """A PENDING row whose holder is gone: its outcome is unknown."""
        return row.status == models.SyncStatus.PENDING and (
            row.lease_expires_at is None or row.lease_expires_at < self._clock()
        )
