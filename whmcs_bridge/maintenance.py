"""Audit-log retention and erasure (data protection)."""

from __future__ import annotations

import datetime

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

import models
from integrations.whmcs.sync.registry import SYNC_ENTITIES, Erase


def _older_than(days: int, now: datetime.datetime | None) -> QuerySet[models.SyncLog]:
    if days < 0:
        raise ValueError("--older-than must be 0 or more days")
    cutoff = (now or datetime.datetime.now(datetime.UTC)) - datetime.timedelta(days=days)
    return models.SyncLog.filter(created_at__lt=cutoff)


async def count_old_logs(older_than_days: int, *, now: datetime.datetime | None = None) -> int:
    """How many audit entries `purge_logs` would delete."""
    return await _older_than(older_than_days, now).count()


async def purge_logs(older_than_days: int, *, now: datetime.datetime | None = None) -> int:
    """Delete audit entries older than `older_than_days`; returns how many."""
    old = _older_than(older_than_days, now)
    async with in_transaction("default"):
        # Counted first: SQLite's change count would add the rows the counter triggers touched.
        count = await old.count()
        await old.delete()
    return count


async def erase_person(*, local_id: int | str | None = None, whmcs_id: int | None = None) -> int:
    """Scrub the personal data of one client from the audit log; returns the entries changed.

    The entries stay (what was done, when, by whom, with which outcome) but lose their request
    and response data and error text, which are where names, e-mails and addresses live. Which
    entries hold the client's data is the registry's (`Erase`): the client's own rows, by its
    local or WHMCS id, and the module reads of what the WHMCS client owns, by its WHMCS id.
    """
    if local_id is None and whmcs_id is None:
        raise ValueError("name the client: --local-id and/or --whmcs-id")
    condition = Q()
    for entity_type, entry in SYNC_ENTITIES.items():
        if local_id is not None and entry.erase is Erase.RECORD:
            condition |= Q(entity_type=entity_type, local_id=local_id)
        if whmcs_id is not None:  # RECORD: the client's own id; OWNER: the WHMCS client's
            condition |= Q(entity_type=entity_type, whmcs_id=whmcs_id)
    return await models.SyncLog.filter(condition).update(
        request_data=None, response_data=None, error_message="[erased on request]"
    )
