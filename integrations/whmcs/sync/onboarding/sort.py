"""The sort: every staged row into its category, in the database, a batch at a time.

First the links: a row whose sync-map link names a record the other side has is LINKED (the
pair is the two rows). Then the e-mails, read in (email_key, id) order with a keyset: each
e-mail's rows form a group, decided alone, and written back with one UPDATE per category and
batch. Only one group is ever in memory. See docs/decisions.md for the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tortoise.functions import Count

from integrations.whmcs.sync.base import same
from integrations.whmcs.sync.onboarding.lease import Lease
from integrations.whmcs.sync.onboarding.rows import Read, read_sorted, set_category
from models import Category, JobPhase, OnboardingJob, OnboardingRow, Side

BATCH = 1000


def other(side: Side) -> Side:
    return Side.LOCAL if side is Side.WHMCS else Side.WHMCS


async def sort_rows(lease: Lease, *, on_batch: Callable[[], None]) -> None:
    job = lease.job
    if job.sort_cursor is None:
        await _sort_links(job)
        await lease.save(sort_cursor="")
    await _sort_emails(lease, on_batch)
    await lease.save(phase=JobPhase.ACT if job.applying else JobPhase.DONE)


async def _sort_links(job: OnboardingJob) -> None:
    last = 0
    while True:
        rows = (
            await OnboardingRow.filter(job_id=job.id, link_id__isnull=False, id__gt=last)
            .order_by("id")
            .limit(BATCH)
            .values_list("id", "side", "link_id")
        )
        if not rows:
            return
        last = rows[-1][0]
        for side in (Side.WHMCS, Side.LOCAL):
            mine = [(row_id, link) for row_id, row_side, link in rows if row_side == side]
            if not mine:
                continue
            present = set(
                await OnboardingRow.filter(
                    job_id=job.id, side=other(side), record_id__in=[link for _, link in mine]
                ).values_list("record_id", flat=True)
            )
            linked = [row_id for row_id, link in mine if link in present]
            if linked:
                await OnboardingRow.filter(id__in=linked).update(category=Category.LINKED)


@dataclass(slots=True)
class Member:
    id: int
    side: Side
    record_id: str
    linked: bool  # LINKED by the first step
    stale_link: bool  # has a link, to a record the other side does not have
    data: dict[str, str | None]


@dataclass(slots=True)
class Decisions:
    by_category: dict[Category, list[int]] = field(default_factory=dict)

    def put(self, category: Category, members: Sequence[Member]) -> None:
        self.by_category.setdefault(category, []).extend(m.id for m in members)

    async def write(self) -> None:
        for category, ids in self.by_category.items():
            for start in range(0, len(ids), BATCH):
                await set_category(ids[start : start + BATCH], category)
        self.by_category.clear()


def decide(members: Sequence[Member], decisions: Decisions) -> None:
    """One e-mail's rows. Linked rows keep LINKED; the others pair only one to one."""
    open_ = [m for m in members if not m.linked]
    if not open_:
        return
    whmcs = [m for m in open_ if m.side is Side.WHMCS]
    local = [m for m in open_ if m.side is Side.LOCAL]
    if len(open_) < len(members) or len(whmcs) > 1 or len(local) > 1:
        decisions.put(Category.AMBIGUOUS, open_)  # the e-mail is on a linked pair, or twice
    elif not local:
        decisions.put(Category.WHMCS_ONLY, whmcs)
    elif not whmcs:
        decisions.put(Category.LOCAL_ONLY, local)
    elif whmcs[0].stale_link or local[0].stale_link:
        decisions.put(Category.AMBIGUOUS, open_)  # one of them is linked to a record gone
    elif differences(whmcs[0].data, local[0].data):
        decisions.put(Category.CONFLICT, open_)
    else:
        decisions.put(Category.WOULD_LINK, open_)


def differences(whmcs: dict[str, str | None], local: dict[str, str | None]) -> list[str]:
    """The WHMCS fields both sides hold that differ, as WHMCS compares them."""
    return [f for f in whmcs if f in local and not same(f, whmcs[f], local[f])]


def _member(row: Read) -> Member:
    row_id, _, side, record_id, category, link_id, data = row
    linked = category is Category.LINKED
    return Member(row_id, side, record_id, linked, link_id is not None and not linked, data)


async def _sort_emails(lease: Lease, on_batch: Callable[[], None]) -> None:
    """Keyset over (email_key, id) from the job's cursor: the last e-mail fully decided."""
    job = lease.job
    done_key = job.sort_cursor or None
    after: tuple[str, int] | None = None
    group: list[Member] = []
    group_key: str | None = None
    decisions = Decisions()
    while True:
        rows = await read_sorted(job.id, after=after, done_key=done_key, limit=BATCH)
        if not rows:
            break
        for row in rows:
            if row[1] != group_key:
                if group_key is not None:
                    _decide_group(group_key, group, decisions)
                group, group_key = [], row[1]
            group.append(_member(row))
        after = (rows[-1][1], rows[-1][0])
        # Everything before the open group is decided: write it, and move the cursor there.
        await decisions.write()
        keys = [row[1] for row in rows]
        await lease.save(sort_cursor=_cursor_before(group_key, job.sort_cursor, keys))
        on_batch()
    if group_key is not None:
        _decide_group(group_key, group, decisions)
    await decisions.write()


def _decide_group(key: str, group: list[Member], decisions: Decisions) -> None:
    if key == "":  # no e-mail: nothing to pair it by
        for member in group:
            decide([member], decisions)
    else:
        decide(group, decisions)


def _cursor_before(open_key: str | None, done_key: str | None, keys: Sequence[str]) -> str:
    """The greatest e-mail below the open group's in this batch (all of it decided)."""
    earlier = [key for key in keys if key != open_key]
    return earlier[-1] if earlier else (done_key or "")


async def summary(job_id: int) -> dict[str, int]:
    """Pairs count once (their WHMCS row), records alone once, ambiguous rows each."""
    counts = {c.value: 0 for c in Category}
    grouped = (
        await OnboardingRow.filter(job_id=job_id, category__isnull=False)
        .annotate(n=Count("id"))
        .group_by("side", "category")
        .values_list("side", "category", "n")
    )
    for side, category, n in grouped:
        cat = Category(category)
        paired = cat in (Category.LINKED, Category.WOULD_LINK, Category.CONFLICT)
        if paired and Side(side) is Side.LOCAL:
            continue
        counts[cat.value] += int(n)
    return {
        "linked": counts["linked"],
        "would_link": counts["would_link"],
        "conflicts": counts["conflict"],
        "local_only": counts["local_only"],
        "whmcs_only": counts["whmcs_only"],
        "ambiguous": counts["ambiguous"],
    }
