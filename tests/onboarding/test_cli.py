"""`whmcs-bridge reconcile`, `import` and `push --unlinked` as a user runs them, against a
sandbox listening in this test (so its journal is at hand) and a SQLite file: the summary, the
report files, --apply, Ctrl-C, a kill -9 and the resume, two runs at once."""

from __future__ import annotations

import asyncio
import csv
import json
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

import models
from integrations.whmcs.sandbox import SandboxConfig, start_sandbox
from integrations.whmcs.sandbox.runner import RunningSandbox
from integrations.whmcs.sync.local import create_client
from tests.onboarding.conftest import ADDRESS
from tests.support.cli import cli_env
from whmcs_bridge.db import migrate, tortoise_config


@dataclass
class Setup:
    sandbox: RunningSandbox
    folder: Path
    database_url: str

    def env(self, **extra: str) -> dict[str, str]:
        return cli_env(
            {
                "DATABASE_URL": self.database_url,
                "WHMCS_API_URL": self.sandbox.url,
                "WHMCS_API_IDENTIFIER": self.sandbox.config.identifier,
                "WHMCS_API_SECRET": self.sandbox.config.secret,
                "WHMCS_ALLOW_INSECURE_URL": "true",
                "COLUMNS": "120",
                **extra,
            }
        )

    async def start(self, *args: str, **env: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "whmcs_bridge.cli",
            *args,
            env=self.env(**env),
            cwd=self.folder,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )

    async def run(self, *args: str, **env: str) -> tuple[int, str, str]:
        process = await self.start(*args, **env)
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    def job(self) -> tuple[str, int, int | None]:
        with sqlite3.connect(self.database_url.removeprefix("sqlite://")) as db:
            row = db.execute(
                "SELECT phase, whmcs_next_offset, runs FROM onboarding_jobs ORDER BY id DESC"
            ).fetchone()
        return (row[0], row[1], row[2]) if row else ("", 0, None)


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    url = f"sqlite://{tmp_path / 'bridge.sqlite3'}"
    EXECUTOR_CACHE.clear()  # SQL cached for another engine's "default" (see conftest's db)
    await migrate(url)
    sandbox = await start_sandbox(SandboxConfig(seed=False))
    try:
        yield Setup(sandbox, tmp_path, url)
    finally:
        await sandbox.stop()


async def _locals(setup: Setup, people: list[tuple[str, str]]) -> None:
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(setup.database_url))
        for first, email in people:
            await create_client(
                {"first_name": first, "last_name": "Crowd", "email": email, **ADDRESS}
            )


async def _count(setup: Setup, query: str) -> int:
    with sqlite3.connect(setup.database_url.removeprefix("sqlite://")) as db:
        value: int = db.execute(query).fetchone()[0]
    return value


async def test_reconcile_prints_a_summary_writes_both_reports_and_apply_links(
    setup: Setup,
) -> None:
    state = setup.sandbox.state
    for n in range(4):
        state.add_client(firstname=f"P{n}", lastname="Crowd", email=f"p{n}@example.org")
    await _locals(setup, [("P0", "p0@example.org"), ("Other", "p1@example.org"), ("L", "l@x.org")])

    code, out, err = await setup.run("reconcile", "--report", "report.json")
    assert code == 0, err
    assert "dry run: nothing changed" in out
    lines = {line.strip("│ ").rsplit("│", 1)[0].strip(): line for line in out.splitlines()}
    assert any("Would link" in k and lines[k].rstrip(" │").endswith("1") for k in lines), out
    assert "Run with --apply to link the 1 would-link pair(s)." in out
    assert "Reading WHMCS clients" in err  # the progress bar, on stderr
    body = json.loads((setup.folder / "report.json").read_text())
    assert body["summary"] == {
        "linked": 0,
        "would_link": 1,
        "conflicts": 1,
        "local_only": 1,
        "whmcs_only": 2,
        "ambiguous": 0,
    }
    assert len(body["rows"]) == 5
    assert await _count(setup, "SELECT count(*) FROM sync_map") == 0

    code, out, err = await setup.run("reconcile", "--apply", "--report", "report.csv")
    assert code == 0, err
    assert "applied" in out
    assert "LINKED\tWHMCS 1 local 1" in out
    with (setup.folder / "report.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    linked = [r for r in rows if r["category"] == "would_link"]
    assert [(r["whmcs_id"], r["local_id"], r["outcome"]) for r in linked] == [("1", "1", "LINKED")]
    assert await _count(setup, "SELECT count(*) FROM sync_map WHERE whmcs_id = 1") == 1
    assert state.calls_for("AddClient") == []
    assert len(state.clients) == 4


async def test_import_and_push_unlinked_dry_runs_then_apply(setup: Setup) -> None:
    state = setup.sandbox.state
    state.add_client(firstname="Wendy", lastname="Whmcs", email="wendy@example.org")
    await _locals(setup, [("Larry", "larry@example.org")])

    code, out, _ = await setup.run("import")
    assert code == 0
    assert "would import\tWHMCS 1\twendy@example.org" in out
    code, out, _ = await setup.run("push", "--unlinked")
    assert code == 0
    assert "would push\tlocal 1\tlarry@example.org" in out
    assert await _count(setup, "SELECT count(*) FROM clients") == 1
    assert state.calls_for("AddClient") == []

    code, out, err = await setup.run("import", "--apply")
    assert code == 0, err
    assert "CREATED\tWHMCS 1\tWHMCS client 1 -> local client 2" in out
    assert await _count(setup, "SELECT count(*) FROM clients WHERE email_key='wendy@example.org'")
    code, out, err = await setup.run("push", "--unlinked", "--apply")
    assert code == 0, err
    assert "CREATED\tlocal 1\tlocal client 1 -> WHMCS client 2" in out
    assert [c.email for c in state.clients.values()] == ["wendy@example.org", "larry@example.org"]
    assert len(state.calls_for("AddClient")) == 1


async def test_bad_report_names_are_refused_before_anything_runs(setup: Setup) -> None:
    code, _, err = await setup.run("reconcile", "--report", "report.txt")
    assert (code, err) == (
        2,
        "whmcs-bridge: --report report.txt: the file must end in .json or .csv\n",
    )
    code, _, err = await setup.run("push")
    assert code == 2
    assert "--unlinked" in err
    assert await _count(setup, "SELECT count(*) FROM onboarding_jobs") == 0


async def _crowd(setup: Setup) -> None:
    state = setup.sandbox.state
    for n in range(1200):
        state.add_client(firstname=f"P{n}", lastname="Crowd", email=f"p{n:04}@example.org")
    await _locals(setup, [(f"P{n}", f"p{n:04}@example.org") for n in range(0, 1200, 2)])
    state.latency_ms = 250


async def _wait_for_pages(setup: Setup, process: asyncio.subprocess.Process, offset: int) -> None:
    deadline = time.monotonic() + 60
    while setup.job()[1] < offset:
        assert process.returncode is None, "finished before it could be interrupted"
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)


EXPECTED = {"linked": 0, "would_link": 600, "conflicts": 0, "local_only": 0, "whmcs_only": 600}


async def test_killed_mid_walk_another_run_is_refused_then_it_resumes(setup: Setup) -> None:
    await _crowd(setup)
    env = {"WHMCS_MAX_CONCURRENCY": "1", "SYNC_LEASE_SECONDS": "8"}
    process = await setup.start("reconcile", **env)
    await _wait_for_pages(setup, process, 500)
    process.send_signal(signal.SIGKILL)  # a crash: nothing is given up
    await process.wait()
    killed_at = time.monotonic()
    phase, offset, runs = setup.job()
    assert (phase, runs) == ("WHMCS", 1)
    assert 500 <= offset < 1200

    code, _, err = await setup.run("reconcile", **env)  # the dead run's lease still holds
    assert code == 1
    assert "is running in another process" in err
    assert "nothing was done" in err

    await asyncio.sleep(max(0.0, killed_at + 8.1 - time.monotonic()))  # the lease expires
    setup.sandbox.state.calls.clear()
    code, _, err = await setup.run("reconcile", "--report", "resumed.json", **env)
    assert code == 0, err
    assert "Resuming onboarding job 1 where it stopped (reading whmcs clients)." in err
    body = json.loads((setup.folder / "resumed.json").read_text())
    assert {k: body["summary"][k] for k in EXPECTED} == EXPECTED
    offsets = [int(c["limitstart"]) for c in setup.sandbox.state.calls_for("GetClients")]
    assert offsets == list(range(offset, 1200, 250))  # only the pages not staged yet
    assert setup.job()[2] == 2

    # The same as a run that was never interrupted.
    code, _, err = await setup.run("reconcile", "--report", "whole.json")
    assert code == 0, err
    whole = json.loads((setup.folder / "whole.json").read_text())
    assert whole == body


async def test_ctrl_c_saves_the_progress_and_the_next_run_resumes_at_once(setup: Setup) -> None:
    await _crowd(setup)
    env = {"WHMCS_MAX_CONCURRENCY": "1"}
    process = await setup.start("reconcile", **env)
    await _wait_for_pages(setup, process, 250)
    process.send_signal(signal.SIGINT)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 130
    assert err.decode().endswith(
        "whmcs-bridge: interrupted: the progress is saved; run the same command again to resume\n"
    )
    assert await _count(setup, "SELECT count(*) FROM onboarding_jobs WHERE lease_token IS NULL")

    code, _, err = await setup.run("reconcile", "--report", "resumed.json", **env)
    assert code == 0, err
    assert "Resuming onboarding job 1" in err
    body = json.loads((setup.folder / "resumed.json").read_text())
    assert {k: body["summary"][k] for k in EXPECTED} == EXPECTED
    assert await _count(setup, "SELECT count(*) FROM sync_map") == 0  # a dry run, twice
    assert models.JobPhase.DONE.value == setup.job()[0]
