"""Reconcile against the sandbox: every category, the report, --apply, nothing created."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import models
from integrations.whmcs.sync.onboarding.report import write_report
from models import JobKind
from tests.onboarding.conftest import SUMMARY, Cast, World


async def _links() -> set[tuple[int, int | None]]:
    return set(await models.SyncMap.all().values_list("local_id", "whmcs_id"))


async def test_a_dry_run_sorts_every_category_and_changes_nothing(
    world: World, cast: Cast, tmp_path: Path
) -> None:
    links_before = await _links()
    result = await world.run()
    assert result.summary == SUMMARY
    assert result.job.phase is models.JobPhase.DONE
    assert await _links() == links_before  # nothing linked
    # Only GetClients reached WHMCS: 6 clients in pages of 3.
    assert {c["action"] for c in world.whmcs.calls} == {"GetClients"}, world.whmcs.calls
    assert world.whmcs_calls("GetClients") == 2, world.whmcs.calls
    assert await models.Client.all().count() == 5

    report = tmp_path / "report.json"
    await write_report(result.job.id, report)
    body = json.loads(report.read_text())
    assert body["summary"] == SUMMARY
    rows = {(r["category"], r["whmcs_id"], r["local_id"]) for r in body["rows"]}
    assert rows == {
        ("linked", cast.alice_w, str(cast.alice_l)),
        ("would_link", cast.bob_w, str(cast.bob_l)),
        ("conflict", cast.carol_w, str(cast.carol_l)),
        ("local_only", None, str(cast.dave_l)),
        ("whmcs_only", cast.erin_w, None),
        ("ambiguous", cast.frank_w1, None),
        ("ambiguous", cast.frank_w2, None),
        ("ambiguous", None, str(cast.frank_l)),
    }
    conflict = next(r for r in body["rows"] if r["category"] == "conflict")
    assert conflict["differences"] == ["firstname"]
    ambiguous = [r for r in body["rows"] if r["category"] == "ambiguous"]
    assert all(r["note"] == "this e-mail is on 2 WHMCS and 1 local clients" for r in ambiguous)

    table = tmp_path / "report.csv"
    await write_report(result.job.id, table)
    with table.open(newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert len(lines) == 8
    assert {(r["category"], r["whmcs_id"], r["local_id"]) for r in lines} == {
        (c, "" if w is None else str(w), lo or "") for c, w, lo in rows
    }
    assert next(r for r in lines if r["category"] == "conflict")["differences"] == "firstname"


async def test_apply_links_the_would_link_pairs_only_and_audits_each(
    world: World, cast: Cast
) -> None:
    result = await world.run(applying=True)
    assert result.summary == SUMMARY  # what it found, before acting
    assert await _links() == {(cast.alice_l, cast.alice_w), (cast.bob_l, cast.bob_w)}
    row = await models.SyncMap.get(local_id=cast.bob_l)
    assert row.status is models.SyncStatus.SYNCED
    assert row.snapshot is not None
    assert row.snapshot["email"] == "Bob@Example.org"
    # Nothing created, anywhere.
    assert world.whmcs_calls("AddClient") == 0
    assert len(world.whmcs.clients) == 6
    assert await models.Client.all().count() == 5
    audit = await models.SyncLog.filter(
        operation=models.SyncOperation.LINK, local_id=cast.bob_l, whmcs_id=cast.bob_w
    ).values_list("status", "whmcs_action")
    assert (models.LogStatus.SUCCESS, "GetClientsDetails") in audit
    assert (models.LogStatus.SUCCESS, None) in audit
    linked_rows = await models.OnboardingRow.filter(job_id=result.job.id, outcome="LINKED")
    assert [r.record_id for r in linked_rows] == [str(cast.bob_w)]

    again = await world.run()
    assert again.summary == {**SUMMARY, "linked": 2, "would_link": 0}


async def test_import_pulls_the_whmcs_only_clients_and_a_dry_run_does_not(
    world: World, cast: Cast
) -> None:
    dry = await world.run(JobKind.IMPORT)
    assert dry.summary == SUMMARY
    assert await models.Client.all().count() == 5

    done = await world.run(JobKind.IMPORT, applying=True)
    assert done.summary == SUMMARY
    erin = await models.Client.get(email_key="erin@example.org")
    assert (erin.first_name, erin.last_name) == ("Erin", "East")
    assert (erin.id, cast.erin_w) in await _links()
    assert await models.Client.all().count() == 6  # only erin: frank is ambiguous
    assert world.whmcs_calls("AddClient") == 0
    row = await models.OnboardingRow.get(job_id=done.job.id, record_id=str(cast.erin_w))
    assert row.outcome == "CREATED"
    assert row.outcome_detail == f"WHMCS client {cast.erin_w} -> local client {erin.id}"


async def test_push_unlinked_pushes_the_local_only_clients(world: World, cast: Cast) -> None:
    await world.run(JobKind.PUSH)
    assert world.whmcs_calls("AddClient") == 0

    done = await world.run(JobKind.PUSH, applying=True)
    assert world.whmcs_calls("AddClient") == 1
    dave = [c for c in world.whmcs.clients.values() if c.email == "dave@example.org"]
    assert len(dave) == 1
    assert (cast.dave_l, dave[0].id) in await _links()
    row = await models.OnboardingRow.get(job_id=done.job.id, record_id=str(cast.dave_l))
    assert row.outcome == "CREATED"
