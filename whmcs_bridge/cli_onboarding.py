"""`whmcs-bridge reconcile`, `import` and `push --unlinked`: onboarding in bulk, from a terminal.

Each is a dry run unless `--apply`; a progress bar (on stderr) while it runs, a summary table
and, for import and push, one line per record at the end (on stdout); `--report FILE` writes
every row as JSON or CSV. A run stopped by WHMCS, Ctrl-C or a crash resumes when the same
command runs again.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from whmcs_bridge.cli_common import CliError, database_step, load_settings

if TYPE_CHECKING:
    from integrations.whmcs.sync.bridge import Bridge
    from integrations.whmcs.sync.onboarding import RunResult
    from models import JobKind, OnboardingJob
    from whmcs_bridge.settings import Settings

T = TypeVar("T")
LABELS = {
    "linked": "Linked",
    "would_link": "Would link (same e-mail, same fields)",
    "conflicts": "Conflict (same e-mail, fields differ)",
    "local_only": "Local only",
    "whmcs_only": "WHMCS only",
    "ambiguous": "Ambiguous (one e-mail on several records)",
}
PHASES = {
    "WHMCS": "Reading WHMCS clients",
    "LOCAL": "Reading local clients",
    "SORT": "Sorting",
    "ACT": "Applying",
    "DONE": "Done",
}


def add_commands(commands: argparse._SubParsersAction[Any]) -> None:
    reconcile = commands.add_parser(
        "reconcile", help="sort every WHMCS and local client; --apply links the would-link pairs"
    )
    _common(reconcile, "link the would-link pairs (never creates anything)")
    reconcile.set_defaults(run=reconcile_command)
    importing = commands.add_parser("import", help="pull the WHMCS-only clients into local ones")
    _common(importing, "create a local client for each WHMCS-only one")
    importing.set_defaults(run=import_command)
    push = commands.add_parser("push", help="push the local-only clients to WHMCS")
    push.add_argument(
        "--unlinked", action="store_true", required=True, help="every local-only client"
    )
    _common(push, "create a WHMCS client for each local-only one")
    push.set_defaults(run=push_command)


def _common(parser: argparse.ArgumentParser, apply_help: str) -> None:
    parser.add_argument("--apply", action="store_true", help=apply_help + " (default: dry run)")
    parser.add_argument(
        "--report", type=Path, metavar="FILE", help="write every row to FILE (.json or .csv)"
    )


def reconcile_command(args: argparse.Namespace) -> int:
    from models import JobKind

    return _run(args, JobKind.RECONCILE)


def import_command(args: argparse.Namespace) -> int:
    from models import JobKind

    return _run(args, JobKind.IMPORT)


def push_command(args: argparse.Namespace) -> int:
    from models import JobKind

    return _run(args, JobKind.PUSH)


def _run(args: argparse.Namespace, kind: JobKind) -> int:
    from integrations.whmcs.sync.onboarding.report import FORMATS

    report: Path | None = args.report
    if report is not None:
        if report.suffix.lower() not in FORMATS:
            raise CliError(f"--report {report}: the file must end in .json or .csv")
        if not report.parent.is_dir():
            raise CliError(f"--report {report}: the folder {report.parent} does not exist")
    settings = load_settings()
    console = Console(stderr=True)
    out = Console(soft_wrap=True)
    try:
        result, failed = _with_bridge(
            settings, lambda bridge: _onboard(bridge, kind, args.apply, report, console, out)
        )
    except KeyboardInterrupt:
        raise CliError(
            "interrupted: the progress is saved; run the same command again to resume",
            exit_code=130,
        ) from None
    _summary(out, kind, args.apply, result)
    if failed:
        sys.stderr.write(
            f"whmcs-bridge: {failed} record(s) could not be done; each says why above"
            f"{' and in ' + str(report) if report else ''}\n"
        )
        return 1
    return 0


def _with_bridge(settings: Settings, work: Callable[[Bridge], Awaitable[T]]) -> T:
    """The server's wiring (database, WHMCS or the demo's sandbox, cache) around `work`."""
    from integrations.whmcs.sync.mapping import MappingError
    from whmcs_bridge.app import create_app
    from whmcs_bridge.demo import DemoError, DemoLock, demo_files
    from whmcs_bridge.settings import SettingsError

    files = demo_files(settings) if settings.whmcs.use_sandbox else None
    lock = DemoLock(files) if files is not None else None
    if lock is not None:
        try:  # the demo's sandbox lives in the demo server while it runs
            lock.acquire("onboarding against")
        except DemoError as exc:
            raise CliError(
                f"{exc}; the demo's WHMCS sandbox lives in that server: stop it first, or use "
                "the startReconcile mutation"
            ) from None
    try:
        app = create_app(
            settings, require_tokens=False, sandbox_data=files.sandbox_data if files else None
        )
    except MappingError as exc:
        raise SettingsError(str(exc)) from None

    async def run() -> T:
        async with app.router.lifespan_context(app):
            return await work(app.state.bridge)

    return database_step(settings, run)


async def _onboard(
    bridge: Bridge,
    kind: JobKind,
    applying: bool,
    report: Path | None,
    console: Console,
    out: Console,
) -> tuple[RunResult, int]:
    from integrations.whmcs.sync.errors import SyncError
    from integrations.whmcs.sync.onboarding import Onboarding
    from integrations.whmcs.sync.onboarding.report import write_report

    store = bridge.local_clients  # open_client_store(mapping): what the single operations use
    local_total = (await store.page(offset=0, limit=1, search=None)).total
    with _progress_bar(console) as bar:
        tracker = _Tracker(bar, local_total)
        onboarding = Onboarding(bridge, actor="cli", on_progress=tracker.update)
        try:
            lease, resumed = await onboarding.start(kind, applying=applying)
            if resumed:
                console.print(
                    f"Resuming onboarding job {lease.job.id} where it stopped "
                    f"({PHASES[lease.job.phase.value].lower()})."
                )
            result = await onboarding.run(lease, resumed)
        except SyncError as exc:
            job = tracker.job
            resume = (
                f"; the progress of job {job.id} is saved: run the same command again to resume"
                if job is not None and job.active
                else ""
            )
            raise CliError(f"{exc.message}{resume}", exit_code=1) from None
    if kind.value != "RECONCILE" or applying:
        failed = await _records(out, result, kind, applying)
    else:
        failed = 0
    if report is not None:
        await write_report(result.job.id, report)
        console.print(f"Report written to {report}.")
    return result, failed


def _progress_bar(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


class _Tracker:
    """Moves the bar of the job's current phase."""

    def __init__(self, bar: Progress, local_total: int) -> None:
        self._bar = bar
        self._local_total = local_total
        self._tasks: dict[str, TaskID] = {}
        self.job: OnboardingJob | None = None

    def update(self, job: OnboardingJob) -> None:
        self.job = job
        phase = job.phase.value
        staged = phase in ("SORT", "ACT", "DONE")
        self._set("WHMCS", job.whmcs_done, job.whmcs_total, complete=phase != "WHMCS")
        self._set("LOCAL", job.local_done, self._local_total, complete=job.local_complete or staged)
        if staged:
            rows = job.whmcs_done + job.local_done
            self._set("SORT", 0, rows, complete=phase != "SORT")
        if phase in ("ACT", "DONE") and job.applying:
            done = job.act_done + job.act_failed
            self._set("ACT", done, job.act_total, complete=phase == "DONE")

    def _set(self, name: str, completed: int, total: int | None, *, complete: bool) -> None:
        if complete:
            total = total if total is not None else completed
            completed = total
        if name not in self._tasks:
            self._tasks[name] = self._bar.add_task(PHASES[name], total=total)
        self._bar.update(self._tasks[name], completed=completed, total=total)


async def _records(out: Console, result: RunResult, kind: JobKind, applying: bool) -> int:
    """One line per record acted on (or that would be), streamed from the job's rows."""
    from integrations.whmcs.sync.onboarding.report import report_rows

    wanted = {"RECONCILE": "would_link", "IMPORT": "whmcs_only", "PUSH": "local_only"}[kind.value]
    verb = {"RECONCILE": "link", "IMPORT": "import", "PUSH": "push"}[kind.value]
    failed = 0
    async for row in report_rows(result.job.id):
        if row["category"] != wanted:
            continue
        who = f"WHMCS {row['whmcs_id']}" if row["whmcs_id"] is not None else ""
        if row["local_id"] is not None:
            who = f"{who} local {row['local_id']}".strip()
        if not applying:
            out.file.write(f"would {verb}\t{who}\t{row['email']}\n")
            continue
        outcome = row["outcome"] or "NOT DONE"
        failed += outcome == "FAILED"
        out.file.write(f"{outcome}\t{who}\t{row['detail'] or ''}\n")
    return failed


def _summary(out: Console, kind: JobKind, applying: bool, result: RunResult) -> None:
    mode = "applied" if applying else "dry run: nothing changed"
    table = Table(title=f"Onboarding job {result.job.id} ({kind.value.lower()}, {mode})")
    table.add_column("Category")
    table.add_column("Count", justify="right")
    for key, label in LABELS.items():
        table.add_row(label, str(result.summary[key]))
    out.print(table)
    waiting = {"RECONCILE": "would_link", "IMPORT": "whmcs_only", "PUSH": "local_only"}
    if not applying and result.summary[waiting[kind.value]]:
        hint = {
            "RECONCILE": f"Run with --apply to link the {result.summary['would_link']} "
            "would-link pair(s).",
            "IMPORT": f"Run with --apply to import the {result.summary['whmcs_only']} WHMCS-only "
            "client(s).",
            "PUSH": f"Run with --apply to push the {result.summary['local_only']} local-only "
            "client(s).",
        }[kind.value]
        out.print(hint, highlight=False)
