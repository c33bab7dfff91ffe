"""What every client sync operation shares: WHMCS reads (sync/reads.py), the local store, claims,
audit, link bookkeeping."""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import models
from integrations.whmcs.cache import WhmcsReadCache
from integrations.whmcs.client import WhmcsClient
from integrations.whmcs.errors import WhmcsError
from integrations.whmcs.records import WhmcsClientRecord
from integrations.whmcs.sync import links
from integrations.whmcs.sync.audit import Audit
from integrations.whmcs.sync.claims import Claim, Claims, utcnow
from integrations.whmcs.sync.errors import RecordNotFound, StaleLink, SyncInProgress, WhmcsUnusable
from integrations.whmcs.sync.mapping import FieldMapping
from integrations.whmcs.sync.reads import WhmcsReads
from integrations.whmcs.sync.store import LocalClient, LocalStore

CLIENT = models.EntityType.CLIENT
T = TypeVar("T")
logger = logging.getLogger(__name__)
Snapshot = dict[str, str | None]


@dataclass(frozen=True, slots=True)
class SyncOptions:
    skip_validation: bool = False
    send_welcome_email: bool = False
    lease_s: float = 120.0
    crash_at: str | None = None  # test-only fault hook: die at this point (see crash_point)


def local_values(client: LocalClient) -> dict[str, str | None]:
    return dict(client.values)


def email_of(client: LocalClient) -> str:
    """The local client's e-mail: links are found and checked by it (required locally)."""
    return str(client.values.get("email") or "")


def same(field: str, a: str | None, b: str | None) -> bool:
    """Equal as WHMCS sees them: blank is empty; e-mail and country ignore case."""
    left, right = (a or "").strip(), (b or "").strip()
    if field in ("email", "country"):
        return left.lower() == right.lower()
    return left == right


class SyncBase(WhmcsReads):
    def __init__(
        self,
        *,
        whmcs: WhmcsClient | None,
        cache: WhmcsReadCache,
        mapping: FieldMapping,
        audit: Audit,
        options: SyncOptions,
        store: LocalStore,
        clock: Callable[[], datetime.datetime] = utcnow,
    ) -> None:
        super().__init__(
            whmcs=whmcs.with_observer(audit.observe) if whmcs is not None else None, cache=cache
        )
        self.mapping = mapping
        self.store = store
        self.audit = audit
        self.options = options
        self._clock = clock
        self.claims = Claims(lease_s=options.lease_s, clock=clock)

    async def fresh_client(self, whmcs_id: int) -> WhmcsClientRecord:
        """Read a WHMCS client bypassing the cache: for decisions that lead to a write."""
        return await self.fresh(CLIENT, whmcs_id, lambda: self.whmcs.clients.get(whmcs_id))

    async def fresh_or_retire(
        self, whmcs_id: int, link: models.SyncMap | None, *, holder: str | None = None
    ) -> WhmcsClientRecord:
        """`fresh_client`, for a WHMCS id that `link` names: if WHMCS has no such client, the
        link is marked ERROR (when nobody else holds it, or `holder` is the caller's claim)
        before the NotFound goes up: a link to nothing is never followed silently."""
        try:
            return await self.fresh_client(whmcs_id)
        except RecordNotFound:
            if link is not None and link.whmcs_id == whmcs_id:
                reason = links.identity_problem(link, None, None)
                assert reason is not None
                with contextlib.suppress(SyncInProgress):  # its holder will find out itself
                    await links.retire(
                        link,
                        reason,
                        release=False,
                        audit=self.audit,
                        now=self._clock(),
                        holder=holder,
                    )
            raise

    async def make_room(
        self,
        whmcs_id: int,
        local_id: int | str,
        record: WhmcsClientRecord | None,
        *,
        reason: str | None = None,
        release: bool = True,
    ) -> StaleLink | None:
        """See `links.make_room`: another local client's link on `whmcs_id` must be stale."""
        return await links.make_room(
            whmcs_id,
            local_id,
            record,
            reason=reason,
            release=release,
            audit=self.audit,
            now=self._clock(),
            store=self.store,
        )

    async def retire(self, claim: Claim, reason: str) -> StaleLink:
        """Mark the link the caller holds ERROR (a stale one), audited; it keeps its WHMCS id."""
        return await links.retire(
            claim.row,
            reason,
            release=False,
            audit=self.audit,
            now=self._clock(),
            holder=claim.token,
        )

    async def find_by_email(self, email: str) -> WhmcsClientRecord | None:
        return await self.call(lambda: self.whmcs.clients.find_by_email(email))

    async def cached_client(self, whmcs_id: int) -> WhmcsClientRecord:
        """Read a WHMCS client for display: served from the cache when it is current."""
        return await self.cached(
            CLIENT,
            str(whmcs_id),
            owner=whmcs_id,
            load=lambda: self.whmcs.clients.get(whmcs_id),
            record_type=WhmcsClientRecord,
            record_id=whmcs_id,
        )

    async def mark_pending(
        self, claim: Claim, reason: str, sending: Mapping[str, str | None]
    ) -> None:
        """Record the intent before a WHMCS write: if the answer never comes, the row says so."""
        claim.touched = True
        claim.row.status = models.SyncStatus.PENDING
        claim.row.last_error = reason
        claim.row.unconfirmed = dict(sending)
        await claim.row.save(update_fields=["status", "last_error", "unconfirmed", "updated_at"])

    def linked(
        self,
        row: models.SyncMap,
        *,
        whmcs_id: int,
        snapshot: Mapping[str, str | None],
        direction: models.SyncDirection | None,
    ) -> None:
        """Set a row to SYNCED (the caller saves it, in its transaction)."""
        row.whmcs_id = whmcs_id
        row.status = models.SyncStatus.SYNCED
        row.snapshot = dict(snapshot)
        row.last_synced_at = self._clock()
        row.last_error = None
        row.unconfirmed = None
        if direction is not None:
            row.last_direction = direction

    async def settle_failure(
        self,
        claim: Claim,
        before: tuple[models.SyncStatus, str | None],
        error: WhmcsUnusable,
        *,
        write_action: str,
        outcome_unknown: bool,
    ) -> None:
        """After a failed WHMCS write: keep PENDING when its outcome is unknown, else restore."""
        row = claim.row
        if outcome_unknown:
            row.status = models.SyncStatus.PENDING
            row.last_error = (
                f"{write_action} got no answer ({error.message}); WHMCS may have applied it. "
                "The next operation on this record checks WHMCS before writing again."
            )
        elif claim.created:
            row.status = models.SyncStatus.ERROR
            row.last_error = error.message
            row.unconfirmed = None
        else:
            row.status, _ = before
            row.last_error = error.message
            row.unconfirmed = None
        await row.save()


def crash_point(options: SyncOptions, name: str) -> None:
    """Reliability tests kill the process here, as a power cut or OOM kill would."""
    if options.crash_at == name:
        logger.critical("Fault hook: dying at %s (WHMCS_BRIDGE_CRASH_AT)", name)
        os._exit(86)


def snapshot_of(record: WhmcsClientRecord) -> Snapshot:
    return dict(record.whmcs_fields())


def outcome_unknown(error: WhmcsUnusable) -> bool:
    cause = error.__cause__
    return isinstance(cause, WhmcsError) and cause.outcome_unknown
