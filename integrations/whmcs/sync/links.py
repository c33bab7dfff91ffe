"""Links that no longer fit WHMCS: a WHMCS id that another link holds, a record that changed hands.

WHMCS hands ids out again after a restore from a backup or a reset (the demo's sandbox after a
restart does the same): a link made before can then name a WHMCS client that no longer exists,
or one that now holds another person. A link is judged by e-mail, the identity links are found
and checked by: it still fits while WHMCS's e-mail is the one of its last sync (the snapshot) or
the local client's own. A stale link is never followed: it is marked ERROR with its reason and
audited; it gives up its WHMCS id (released) only when the local record WHMCS really holds under
that id takes it.
"""

from __future__ import annotations

import datetime

from tortoise.expressions import Q

import models
from integrations.whmcs.records import WhmcsClientRecord
from integrations.whmcs.sync.audit import Audit
from integrations.whmcs.sync.errors import AlreadyLinked, StaleLink, SyncInProgress
from integrations.whmcs.sync.registry import default_store
from integrations.whmcs.sync.store import LocalId, LocalStore

CLIENT = models.EntityType.CLIENT
REUSED_IDS = "a WHMCS restored from a backup or reset hands its ids out again"


def identity_problem(
    row: models.SyncMap, record: WhmcsClientRecord | None, local_email: str | None
) -> str | None:
    """Why the link ``row`` no longer names the person it was made for; None while it does.

    ``record`` is WHMCS's client under the link's id, read fresh (None: there is none).
    """
    if record is None:
        return f"WHMCS client {row.whmcs_id} no longer exists ({REUSED_IDS}?)."
    before = (row.snapshot or {}).get("email")
    if not before or _same_email(before, record.email):
        return None
    if local_email is not None and _same_email(local_email, record.email):
        return None  # both sides changed it alike: the same person
    return (
        f"WHMCS client {record.id} now has the e-mail {record.email}, not {before} as at the "
        f"last sync: it may hold another person ({REUSED_IDS})."
    )


async def make_room(
    whmcs_id: int,
    local_id: LocalId,
    record: WhmcsClientRecord | None,
    *,
    audit: Audit,
    now: datetime.datetime,
    reason: str | None = None,
    release: bool = True,
    store: LocalStore | None = None,
) -> StaleLink | None:
    """Before local client ``local_id`` is linked to ``whmcs_id``: the link another local client
    holds on it must be stale (``reason`` says why when the caller knows, else it is judged
    against ``record``); it is marked ERROR and, with ``release``, gives the id up. A link that
    still fits is AlreadyLinked, naming both local clients."""
    other = await models.SyncMap.get_or_none(entity_type=CLIENT, whmcs_id=whmcs_id)
    if other is None or other.local_id == local_id:
        return None
    if reason is None:
        local = store or default_store(CLIENT)
        owner = await local.get(other.local_id) if local is not None else None
        if owner is None:
            reason = f"Local client {other.local_id} no longer exists."
        else:
            reason = identity_problem(other, record, owner.values.get("email"))
    if reason is None:
        raise AlreadyLinked(
            other.local_id,
            whmcs_id,
            f"WHMCS client {whmcs_id} is linked to local client {other.local_id}, not to "
            f"local client {local_id}; unlink local client {other.local_id} first.",
            requested_local_id=local_id,
        )
    if release:
        reason += f" WHMCS client {whmcs_id} is linked to local client {local_id} now."
    return await retire(other, reason, release=release, audit=audit, now=now)


async def retire(
    row: models.SyncMap,
    reason: str,
    *,
    release: bool,
    audit: Audit,
    now: datetime.datetime,
    holder: str | None = None,
) -> StaleLink:
    """Mark a stale link ERROR with its reason, and audit it; ``release`` clears its WHMCS id.

    One conditional UPDATE: the row must still name the same WHMCS id and be held by nobody
    (or by ``holder``, the caller's own claim); otherwise another operation is at work on it.
    """
    whmcs_id = row.whmcs_id
    assert whmcs_id is not None  # only a link that names a WHMCS client can be stale
    free = Q(lease_token__isnull=True) | Q(lease_expires_at__lt=now)
    held = Q(lease_token=holder) if holder else free
    changes: dict[str, object] = {
        "status": models.SyncStatus.ERROR,
        "last_error": reason,
        "unconfirmed": None,
        "updated_at": now,
    }
    if release:
        changes["whmcs_id"] = None
    # At most one row matches (by id); SQLite's count also includes the counter triggers' writes.
    taken = await models.SyncMap.filter(held, id=row.id, whmcs_id=whmcs_id).update(**changes)
    if not taken:
        raise SyncInProgress(local_id=row.local_id)
    for name, value in changes.items():
        setattr(row, name, value)
    released = " and released" if release else ""
    await audit.note(
        models.LogStatus.ERROR,
        f"Link of local client {row.local_id} to WHMCS client {whmcs_id} marked ERROR"
        f"{released}: {reason}",
        local_id=row.local_id,
        whmcs_id=whmcs_id,
    )
    return StaleLink(row.local_id, whmcs_id, reason, release)


async def note_taken(audit: Audit, stale: StaleLink | None, local_id: LocalId) -> None:
    """Audit the second step: the local client that took a stale link's WHMCS id."""
    if stale is not None and stale.released:
        await audit.note(
            models.LogStatus.SUCCESS,
            f"Local client {local_id} linked to WHMCS client {stale.whmcs_id}, replacing the "
            f"stale link of local client {stale.local_id}.",
            local_id=local_id,
            whmcs_id=stale.whmcs_id,
        )


def _same_email(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()
