"""Staging: every WHMCS client and every local client into `onboarding_rows`, resumably.

Both sides are read at once: while WHMCS answers, the local clients are staged.

WHMCS is read with GetClients, page after page, several pages at once (up to
WHMCS_MAX_CONCURRENCY, through the client's breaker and concurrency bound). The job records the
offset below which every page is staged, and the last local id staged; a rerun starts from
there, and a page staged twice is kept once (the rows' unique key).

A run is stopped by cancelling its staging tasks (a sibling failed, Ctrl-C, WHMCS unusable),
wherever they are. A write of staged rows is never cut off part way: it runs to its end and the
stop goes on after it (`rows.insert`, which writes plain values, no model objects).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence

import models
from integrations.whmcs.records import WhmcsClientPage, WhmcsClientRecord
from integrations.whmcs.sync.mapping import FieldMapping
from integrations.whmcs.sync.onboarding.lease import Lease
from integrations.whmcs.sync.onboarding.rows import insert, staged
from integrations.whmcs.sync.store import LocalClient, LocalId, LocalStore
from models import JobPhase, Side

# What a GetClients row holds besides the id: the fields a reconcile can compare.
LISTED_FIELDS = ("firstname", "lastname", "companyname", "email")

FetchPage = Callable[[int, int], Awaitable[WhmcsClientPage]]


def email_key(email: str | None) -> str:
    return (email or "").strip().lower()


async def stage_whmcs(
    lease: Lease, fetch: FetchPage, *, page_size: int, concurrency: int, on_page: Callable[[], None]
) -> None:
    """Stage WHMCS's clients from the job's offset on; pages fetched `concurrency` at a time."""
    job = lease.job
    watermark = job.whmcs_next_offset
    total = job.whmcs_total
    if total is None or watermark < total:
        # One page alone first: it gives the total, and after an outage it is the breaker's
        # single half-open probe (concurrent calls would be refused while it is out).
        page = await fetch(watermark, page_size)
        await _store_whmcs(job, page.items)
        total = max(page.total, total or 0)
        watermark += page_size
        await lease.save(
            whmcs_total=total,
            whmcs_next_offset=min(watermark, total),
            whmcs_done=min(watermark, total),
        )
        on_page()
    finished: dict[int, int] = {}  # offset -> rows, of the pages staged above the watermark
    running: dict[asyncio.Task[WhmcsClientPage], int] = {}
    next_offset = watermark
    try:
        while watermark < total:
            while next_offset < total and len(running) < concurrency:
                task = asyncio.create_task(_fetch_and_store(job, fetch, next_offset, page_size))
                running[task] = next_offset
                next_offset += page_size
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                offset = running.pop(task)
                page = task.result()  # a WHMCS failure stops the walk here; progress is kept
                finished[offset] = len(page.items)
                total = max(total, page.total)  # clients added meanwhile are read too
            while watermark in finished:
                finished.pop(watermark)
                watermark += page_size
            await lease.save(
                whmcs_total=total,
                whmcs_next_offset=min(watermark, total),
                whmcs_done=min(watermark, total),
            )
            on_page()
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    await lease.save(phase=JobPhase.LOCAL, whmcs_done=total)


async def _fetch_and_store(
    job: models.OnboardingJob, fetch: FetchPage, offset: int, limit: int
) -> WhmcsClientPage:
    page = await fetch(offset, limit)
    await _store_whmcs(job, page.items)
    return page


async def _store_whmcs(job: models.OnboardingJob, records: Sequence[WhmcsClientRecord]) -> None:
    if not records:
        return
    ids = [r.id for r in records]
    links = dict(
        await models.SyncMap.filter(
            entity_type=models.EntityType.CLIENT, whmcs_id__in=ids
        ).values_list("whmcs_id", "local_id")
    )
    rows = []
    for record in records:
        fields = record.whmcs_fields()
        link = links.get(record.id)
        rows.append(
            staged(
                job.id,
                Side.WHMCS,
                str(record.id),
                email_key(record.email),
                {name: fields.get(name) for name in LISTED_FIELDS},
                None if link is None else str(link),
            )
        )
    await insert(rows)


async def stage_local(
    lease: Lease,
    store: LocalStore,
    mapping: FieldMapping,
    *,
    batch: int,
    on_batch: Callable[[], None],
) -> None:
    """Stage the local clients past the job's cursor, `batch` at a time, by id."""
    job = lease.job
    cursor: LocalId | None = (
        store.parse_id(job.local_cursor) if job.local_cursor is not None else None
    )
    done = job.local_done
    pending: list[LocalClient] = []
    # Past the cursor, in the database's own order of ids (the order the stream walks in): what
    # an earlier run staged is not read again.
    async for client in store.stream(batch=batch, after=cursor):
        pending.append(client)
        if len(pending) >= batch:
            done += await _store_local(job, pending, mapping)
            await lease.save(local_cursor=str(pending[-1].id), local_done=done)
            pending = []
            on_batch()
    if pending:
        done += await _store_local(job, pending, mapping)
        await lease.save(local_cursor=str(pending[-1].id), local_done=done)
        on_batch()
    await lease.save(local_complete=True, local_done=done)


async def _store_local(
    job: models.OnboardingJob, clients: Sequence[LocalClient], mapping: FieldMapping
) -> int:
    ids = [c.id for c in clients]
    links = dict(
        await models.SyncMap.filter(
            entity_type=models.EntityType.CLIENT, local_id__in=ids, whmcs_id__isnull=False
        ).values_list("local_id", "whmcs_id")
    )
    rows = [
        staged(
            job.id,
            Side.LOCAL,
            str(client.id),
            email_key(client.values.get("email")),
            _as_whmcs(client.values, mapping),
            None if links.get(client.id) is None else str(links[client.id]),
        )
        for client in clients
    ]
    await insert(rows)
    return len(rows)


def _as_whmcs(values: Mapping[str, str | None], mapping: FieldMapping) -> dict[str, str | None]:
    """The local values a reconcile compares, by their WHMCS names (every mapped field)."""
    return {r.whmcs: values.get(r.local) for r in mapping.rules if r.whmcs in LISTED_FIELDS}
