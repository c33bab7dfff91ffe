"""A finished job's rows, as report rows: one per pair, one per record alone. Streamed from the
database in e-mail order (one e-mail's rows in memory at a time), written as JSON or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TextIO

from tortoise.expressions import Q

from integrations.whmcs.sync.onboarding.sort import BATCH, differences, summary
from models import Category, OnboardingRow, Side

COLUMNS = (
    "category",
    "email",
    "whmcs_id",
    "local_id",
    "differences",
    "note",
    "outcome",
    "detail",
)
FORMATS = (".json", ".csv")


async def report_rows(job_id: int) -> AsyncIterator[dict[str, Any]]:
    after: tuple[str, int] | None = None
    group: list[OnboardingRow] = []
    while True:
        query = OnboardingRow.filter(job_id=job_id)
        if after is not None:
            key, last = after
            query = query.filter(Q(email_key__gt=key) | Q(email_key=key, id__gt=last))
        rows = await query.order_by("email_key", "id").limit(BATCH)
        if not rows:
            break
        for row in rows:
            if group and row.email_key != group[0].email_key:
                for item in _group_rows(group):
                    yield item
                group = []
            group.append(row)
        after = (rows[-1].email_key, rows[-1].id)
    for item in _group_rows(group):
        yield item


def _group_rows(group: list[OnboardingRow]) -> list[dict[str, Any]]:
    whmcs = [r for r in group if r.side is Side.WHMCS]
    local = [r for r in group if r.side is Side.LOCAL]
    out: list[dict[str, Any]] = []
    for row in whmcs:
        if row.category is Category.LINKED:
            out.append(_row(row, whmcs_id=row.record_id, local_id=row.link_id))
        elif row.category in (Category.WOULD_LINK, Category.CONFLICT) and len(local) == 1:
            partner = local[0]
            out.append(
                _row(
                    row,
                    whmcs_id=row.record_id,
                    local_id=partner.record_id,
                    differences=differences(row.data, partner.data)
                    if row.category is Category.CONFLICT
                    else [],
                    acting=row if row.outcome is not None else partner,
                )
            )
        else:
            out.append(_row(row, whmcs_id=row.record_id, note=_note(row, whmcs, local)))
    for row in local:
        if row.category in (Category.LINKED, Category.WOULD_LINK, Category.CONFLICT):
            continue  # reported with its WHMCS row
        out.append(_row(row, local_id=row.record_id, note=_note(row, whmcs, local)))
    return out


def _note(row: OnboardingRow, whmcs: list[OnboardingRow], local: list[OnboardingRow]) -> str:
    notes = []
    if row.link_id is not None and row.category is not Category.LINKED:
        there = "local client" if row.side is Side.WHMCS else "WHMCS client"
        notes.append(f"its link names {there} {row.link_id}, which does not exist")
    if row.category is Category.AMBIGUOUS:
        linked = sum(r.category is Category.LINKED for r in whmcs + local)
        also = f" ({linked} of them linked)" if linked else ""
        notes.append(f"this e-mail is on {len(whmcs)} WHMCS and {len(local)} local clients{also}")
    return "; ".join(notes)


def _row(
    row: OnboardingRow,
    *,
    whmcs_id: str | None = None,
    local_id: str | None = None,
    differences: list[str] | None = None,
    note: str = "",
    acting: OnboardingRow | None = None,
) -> dict[str, Any]:
    acting = acting or row
    return {
        "category": row.category.value if row.category else None,
        "email": row.data.get("email") or row.email_key,
        "whmcs_id": int(whmcs_id) if whmcs_id is not None else None,
        "local_id": local_id,
        "differences": differences or [],
        "note": note,
        "outcome": acting.outcome,
        "detail": acting.outcome_detail,
    }


async def write_report(job_id: int, path: Path) -> None:
    """JSON (`{"summary": ..., "rows": [...]}`) or CSV, by the file's extension."""
    counts = await summary(job_id)
    with path.open("w", encoding="utf-8", newline="") as out:
        if path.suffix.lower() == ".csv":
            await _csv(job_id, out)
        else:
            await _json(job_id, counts, out)


async def _json(job_id: int, counts: dict[str, int], out: TextIO) -> None:
    out.write('{"summary": ' + json.dumps(counts) + ', "rows": [')
    first = True
    async for item in report_rows(job_id):
        out.write(("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False))
        first = False
    out.write("\n]}\n")


async def _csv(job_id: int, out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    async for item in report_rows(job_id):
        writer.writerow({**item, "differences": " ".join(item["differences"])})
