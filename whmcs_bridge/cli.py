"""The `whmcs-bridge` command: serve, migrate, sandbox, check, tokens, logs, demo, export-schema.

Every failure a user can cause or meet (configuration, database, files, ports) ends with one
line on stderr naming what to fix, and a non-zero exit code; never a traceback. An unexpected
error is one line too, with `--traceback` to see where it came from.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import traceback
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from whmcs_bridge.settings import Settings, SettingsError

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from whmcs_bridge.demo import DemoFiles

T = TypeVar("T")


class CliError(RuntimeError):
    """A command cannot go on; the message (one line) says what to fix."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage itself is in --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"whmcs-bridge: {message} (see `{self.prog} --help`)\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except SettingsError as exc:
        sys.stderr.write(f"whmcs-bridge: configuration error: {exc}\n")
        return 2
    except CliError as exc:
        sys.stderr.write(f"whmcs-bridge: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: one line, the traceback only when asked for
        if args.traceback:
            traceback.print_exc()
        sys.stderr.write(
            f"whmcs-bridge: unexpected error ({type(exc).__name__}: {_one_line(exc)}); "
            "run again with --traceback to see where, and please report it\n"
        )
        return 1
    return result


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65_535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, got {text!r}")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="whmcs-bridge", description="GraphQL bridge between your application and WHMCS."
    )
    parser.add_argument(
        "--traceback", action="store_true", help="show the traceback of an unexpected error"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API server")
    serve.add_argument("--host", help="address to bind (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=_port, help="port (default: PORT or 8000; 0: any free one)")
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(run=_migrate)

    sandbox = commands.add_parser("sandbox", help="run the WHMCS sandbox on its own")
    sandbox.add_argument("--port", type=_port, default=8081)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument(
        "--control", action="store_true", help="enable POST /_sandbox/control (faults, edits)"
    )
    sandbox.add_argument("--data", type=Path, help="keep the sandbox's data in this JSON file")
    sandbox.set_defaults(run=_sandbox)

    check = commands.add_parser("check", help="test the connection to WHMCS (exit 1 on failure)")
    check.set_defaults(run=_check)

    tokens = commands.add_parser("tokens", help="manage API tokens").add_subparsers(
        dest="tokens_command", required=True
    )
    create = tokens.add_parser("create", help="create a token; prints it once, on stdout")
    create.add_argument("name")
    create.add_argument("--scope", choices=["read", "write"], required=True)
    create.set_defaults(run=_tokens_create)
    tokens.add_parser("list", help="list tokens (names and scopes)").set_defaults(run=_tokens_list)
    revoke = tokens.add_parser("revoke", help="revoke a token")
    revoke.add_argument("name")
    revoke.set_defaults(run=_tokens_revoke)

    logs = commands.add_parser("logs", help="audit-log retention").add_subparsers(
        dest="logs_command", required=True
    )
    purge = logs.add_parser("purge", help="delete audit entries older than DAYS")
    purge.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    purge.add_argument("--dry-run", action="store_true", help="only count what would go")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge.set_defaults(run=_logs_purge)
    erase = logs.add_parser("erase", help="scrub one client's personal data from the audit log")
    erase.add_argument("--local-id", type=int)
    erase.add_argument("--whmcs-id", type=int)
    erase.set_defaults(run=_logs_erase)

    demo = commands.add_parser("demo", help="the sandbox demo's data").add_subparsers(
        dest="demo_command", required=True
    )
    reset = demo.add_parser(
        "reset", help="start the demo over: delete its database and the sandbox's data"
    )
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.set_defaults(run=_demo_reset)

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("--output", type=Path, help="write to this file instead of stdout")
    export.set_defaults(run=_export_schema)
    return parser


def _settings() -> Settings:
    import logging

    from whmcs_bridge.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.secret_values())
    if settings.log_level != "DEBUG":
        # "Tortoise-ORM started/shutdown" around every command says nothing a user needs, and
        # would turn a one-line failure into three lines.
        logging.getLogger("tortoise").setLevel(logging.WARNING)
    return settings


def _create_app(settings: Settings, sandbox_data: Path | None) -> Starlette:
    from integrations.whmcs.sync.mapping import MappingError
    from whmcs_bridge.app import create_app

    try:
        return create_app(settings, sandbox_data=sandbox_data)
    except MappingError as exc:
        raise SettingsError(str(exc)) from None


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from whmcs_bridge.app import NO_TOKENS
    from whmcs_bridge.demo import DemoError, DemoLock, demo_files
    from whmcs_bridge.listen import ListenError, listen
    from whmcs_bridge.tokens import serving_tokens_exist

    settings = _settings()
    settings = dataclasses.replace(
        settings,
        host=args.host if args.host is not None else settings.host,
        port=args.port if args.port is not None else settings.port,
    )
    files = demo_files(settings) if settings.whmcs.use_sandbox else None
    app = _create_app(settings, files.sandbox_data if files else None)
    # Bound before anything else is touched: a start on a taken port changes nothing.
    try:
        sock, served = listen(settings.host, settings.port)
    except ListenError as exc:
        raise CliError(str(exc)) from None
    with sock:
        if settings.whmcs.use_sandbox:
            lock = DemoLock(files) if files is not None else None
            try:
                if lock is not None:
                    lock.acquire("starting another")
            except DemoError as exc:
                raise CliError(str(exc)) from None
            _demo_ready(settings, files, served)
        elif not _in_database(settings, serving_tokens_exist):
            raise CliError(NO_TOKENS)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            server_header=False,
        )
        uvicorn.Server(config).run(sockets=[sock])
    return 0


def _demo_ready(settings: Settings, files: DemoFiles | None, served: str) -> None:
    """The demo: its sandbox data readable, its token in the database, the banner printed."""
    from integrations.whmcs.sandbox import SandboxState, StateFile, StateFileError
    from whmcs_bridge.demo import DemoError, demo_banner, demo_token
    from whmcs_bridge.tokens import install_demo_token, new_token

    if files is None:  # an in-memory database: nothing outlives the process
        token = new_token()
    else:
        try:
            StateFile(files.sandbox_data).load_into(SandboxState(seed=False))
            token = demo_token(files)
        except StateFileError as exc:
            raise CliError(f"{exc}: start the demo over with `whmcs-bridge demo reset`") from None
        except DemoError as exc:
            raise CliError(str(exc)) from None
    _in_database(settings, lambda: install_demo_token(token))
    sys.stdout.write(demo_banner(settings, files, token, served))
    sys.stdout.flush()


def _migrate(args: argparse.Namespace) -> int:
    from whmcs_bridge.db import migrate
    from whmcs_bridge.problems import database_place

    settings = _settings()
    applied = _database_step(settings, lambda: migrate(settings.database_url))
    place = database_place(settings.database_url)
    if applied:
        sys.stdout.write(f"Applied {len(applied)} migration(s) to {place}: {', '.join(applied)}.\n")
    else:
        sys.stdout.write(f"Nothing to apply: {place} is up to date.\n")
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    from integrations.whmcs.sandbox import StateFileError, serve_forever

    _settings()
    try:
        serve_forever(port=args.port, host=args.host, control=args.control, data_file=args.data)
    except StateFileError as exc:
        raise CliError(f"{exc}: delete it to start from the demo data") from None
    except OSError as exc:
        from whmcs_bridge.listen import listen_problem

        raise CliError(listen_problem(exc, args.host, args.port, "--port")) from None
    return 0


def _check(args: argparse.Namespace) -> int:
    from integrations.whmcs.sync.mapping import FieldMapping, MappingError
    from whmcs_bridge.app import connection_check

    settings = _settings()
    try:
        FieldMapping.load(settings.field_mapping_file)  # before the database: its own message
    except MappingError as exc:
        raise SettingsError(str(exc)) from None
    # The check writes to the audit log: a database that cannot take it fails here, in one line,
    # before a sandbox starts or WHMCS is called.
    _in_database(settings, _database_ready)
    report = _database_step(settings, lambda: connection_check(settings))
    if report.success and report.sandbox:
        sys.stdout.write(
            f"OK: Connected to WHMCS {report.version}. ({report.response_time_ms} ms)\n"
            "Note: this tested the built-in WHMCS sandbox, NOT a real WHMCS (WHMCS_API_URL is "
            "not set). Set WHMCS_API_URL, WHMCS_API_IDENTIFIER and WHMCS_API_SECRET to test "
            "yours.\n"
        )
        return 0
    if report.success:
        sys.stdout.write(f"OK: {report.message} ({report.response_time_ms} ms)\n")
        return 0
    failure = report.failure.name if report.failure else "UNKNOWN"
    sys.stdout.write(f"FAILED [{failure}]: {report.message}\nHint: {report.hint}\n")
    return 1


async def _database_ready() -> None:
    from models import SyncLog

    await SyncLog.exists()


def _database_step(settings: Settings, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `work` (which opens the database itself); a database failure becomes one line."""
    from whmcs_bridge.problems import database_problem

    try:
        return asyncio.run(work())
    except Exception as exc:
        problem = database_problem(exc, settings.database_url)
        if problem is None:
            raise
        raise CliError(problem) from None


def _in_database(settings: Settings, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `work` with the configured database open (for one-shot commands)."""
    from tortoise.context import TortoiseContext

    from whmcs_bridge.db import tortoise_config

    async def run() -> T:
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(settings.database_url))
            return await work()

    return _database_step(settings, run)


def _tokens_create(args: argparse.Namespace) -> int:
    from models import TokenScope
    from whmcs_bridge.tokens import TokenError, create_token

    settings = _settings()
    try:
        token = _in_database(settings, lambda: create_token(args.name, TokenScope(args.scope)))
    except TokenError as exc:
        raise CliError(str(exc), exit_code=1) from None
    sys.stdout.write(token + "\n")
    sys.stderr.write(f"Token {args.name!r} ({args.scope}) created. It is shown only this once.\n")
    return 0


def _tokens_list(args: argparse.Namespace) -> int:
    from whmcs_bridge.tokens import DEMO_NAME, list_tokens

    for row in _in_database(_settings(), list_tokens):
        used = row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else "never"
        note = "\t(sandbox demo only)" if row.name == DEMO_NAME else ""
        sys.stdout.write(
            f"{row.name}\t{row.scope.value}\tcreated {row.created_at:%Y-%m-%d}\tused {used}{note}\n"
        )
    return 0


def _tokens_revoke(args: argparse.Namespace) -> int:
    from whmcs_bridge.tokens import TokenError, revoke_token

    try:
        _in_database(_settings(), lambda: revoke_token(args.name))
    except TokenError as exc:
        raise CliError(str(exc), exit_code=1) from None
    sys.stdout.write(f"Token {args.name!r} revoked.\n")
    return 0


def _logs_purge(args: argparse.Namespace) -> int:
    from whmcs_bridge.maintenance import count_old_logs, purge_logs

    if args.older_than < 0:
        raise CliError("--older-than must be 0 or more days")
    settings = _settings()
    count = _in_database(settings, lambda: count_old_logs(args.older_than))
    what = f"{count} audit entries older than {args.older_than} days"
    if args.dry_run:
        sys.stdout.write(f"Would delete {what} (dry run: nothing deleted).\n")
        return 0
    if count == 0:
        sys.stdout.write(f"Deleted {what}.\n")
        return 0
    if not args.yes:
        _confirm(f"Delete {what} (this cannot be undone)")
    deleted = _in_database(settings, lambda: purge_logs(args.older_than))
    sys.stdout.write(f"Deleted {deleted} audit entries older than {args.older_than} days.\n")
    return 0


def _confirm(action: str) -> None:
    """Ask on the terminal; no terminal (cron, a pipe) is a refusal that names --yes."""
    if not sys.stdin.isatty():
        raise CliError(f"{action}: confirm with --yes (there is no terminal to ask on)")
    sys.stderr.write(f"{action}? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise CliError("nothing done (not confirmed)", exit_code=1)


def _logs_erase(args: argparse.Namespace) -> int:
    from whmcs_bridge.maintenance import erase_person

    if args.local_id is None and args.whmcs_id is None:
        raise CliError("name the client with --local-id and/or --whmcs-id")
    changed = _in_database(
        _settings(), lambda: erase_person(local_id=args.local_id, whmcs_id=args.whmcs_id)
    )
    sys.stdout.write(f"Scrubbed personal data from {changed} audit entries.\n")
    return 0


def _demo_reset(args: argparse.Namespace) -> int:
    from whmcs_bridge.db import migrate
    from whmcs_bridge.demo import DemoError, DemoLock, demo_files, reset

    settings = _settings()
    if not settings.whmcs.use_sandbox:
        raise CliError(
            "demo reset is for the sandbox demo only, and WHMCS_API_URL is set: nothing was deleted"
        )
    files = demo_files(settings)
    if files is None or files.database is None:
        raise CliError(
            "demo reset deletes a SQLite demo database only, and DATABASE_URL names another "
            "kind: nothing was deleted"
        )
    lock = DemoLock(files)
    try:
        lock.acquire("resetting it")
        if not args.yes:
            _confirm(f"Delete the demo database {files.database} and the sandbox's data")
        removed = reset(files)
    except DemoError as exc:
        raise CliError(str(exc)) from None
    try:
        _database_step(settings, lambda: migrate(settings.database_url))
    finally:
        lock.release()
    gone = ", ".join(str(p) for p in removed) or "nothing (it was fresh)"
    sys.stdout.write(
        f"Demo reset: removed {gone}; migrated a fresh {files.database}. The demo token "
        f"({files.token}) stays the same.\n"
    )
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from graph.schema import schema

    sdl = schema.as_str() + "\n"
    if not args.output:
        sys.stdout.write(sdl)
        return 0
    try:
        args.output.write_text(sdl, encoding="utf-8")
    except FileNotFoundError:
        raise CliError(
            f"cannot write {args.output}: the folder {args.output.parent} does not exist "
            "(create it, or choose another --output)"
        ) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror}") from None
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
