"""The `whmcs-bridge` command: serve, migrate, sandbox, check, tokens, logs, demo, reconcile,
import, push, export-schema.

Every failure a user can cause or meet (configuration, database, files, ports) ends with one
line on stderr naming what to fix, and a non-zero exit code; never a traceback. An unexpected
error is one line too, with `--traceback` to see where it came from.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from whmcs_bridge import cli_admin as admin
from whmcs_bridge import cli_onboarding as onboarding
from whmcs_bridge.cli_common import (
    CliError,
    database_ready,
    database_step,
    in_database,
    load_settings,
    verify_client_table,
)
from whmcs_bridge.settings import Settings, SettingsError

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from integrations.whmcs.sync.mapping import FieldMapping
    from whmcs_bridge.demo import DemoFiles


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
    serve.add_argument("--workers", type=int, help="processes (default: WORKERS or 1)")
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
    create.add_argument("--scope", choices=["read", "write", "metrics"], required=True)
    create.set_defaults(run=admin.tokens_create)
    listing = tokens.add_parser("list", help="list tokens (names and scopes)")
    listing.set_defaults(run=admin.tokens_list)
    revoke = tokens.add_parser("revoke", help="revoke a token")
    revoke.add_argument("name")
    revoke.set_defaults(run=admin.tokens_revoke)

    logs = commands.add_parser("logs", help="audit-log retention").add_subparsers(
        dest="logs_command", required=True
    )
    purge = logs.add_parser("purge", help="delete audit entries older than DAYS")
    purge.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    purge.add_argument("--dry-run", action="store_true", help="only count what would go")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge.set_defaults(run=admin.logs_purge)
    erase = logs.add_parser("erase", help="scrub one client's personal data from the audit log")
    # The local store's id: an integer, or an application's text id ([client.table]).
    erase.add_argument("--local-id", type=_local_id)
    erase.add_argument("--whmcs-id", type=int)
    erase.set_defaults(run=admin.logs_erase)

    demo = commands.add_parser("demo", help="the sandbox demo's data").add_subparsers(
        dest="demo_command", required=True
    )
    reset = demo.add_parser(
        "reset", help="start the demo over: delete its database and the sandbox's data"
    )
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.set_defaults(run=admin.demo_reset)

    onboarding.add_commands(commands)

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("--output", type=Path, help="write to this file instead of stdout")
    export.set_defaults(run=admin.export_schema)
    return parser


def _create_app(settings: Settings, sandbox_data: Path | None) -> Starlette:
    from integrations.whmcs.sync.mapping import MappingError
    from whmcs_bridge.app import create_app

    try:
        return create_app(settings, sandbox_data=sandbox_data)
    except MappingError as exc:
        raise SettingsError(str(exc)) from None


def _local_id(raw: str) -> int | str:
    from models.sync import local_id_value

    if not raw.strip():
        raise ValueError("an empty local id")
    return local_id_value(raw.strip())


def _mapping(settings: Settings) -> FieldMapping:
    from integrations.whmcs.sync.mapping import FieldMapping

    return FieldMapping.load(settings.field_mapping_file)  # create_app validated it


def _serve(args: argparse.Namespace) -> int:
    from whmcs_bridge.app import NO_TOKENS
    from whmcs_bridge.demo import DemoError, DemoLock, demo_files
    from whmcs_bridge.listen import ListenError, listen
    from whmcs_bridge.server import serve
    from whmcs_bridge.tokens import serving_tokens_exist

    settings = load_settings()
    # What serve binds: the anonymous demo's loopback rule and the Host names answered
    # (ALLOWED_HOSTS' default) follow it.
    settings = dataclasses.replace(
        settings,
        host=args.host if args.host is not None else settings.host,
        port=args.port if args.port is not None else settings.port,
    )
    workers = settings.workers if args.workers is None else args.workers
    if not 1 <= workers <= 64:
        raise SettingsError(f"--workers must be between 1 and 64, got {workers}.")
    if workers > 1 and settings.whmcs.use_sandbox:
        raise SettingsError(
            "Several workers need a real WHMCS (WHMCS_API_URL): each would run its own sandbox."
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
        elif not in_database(settings, serving_tokens_exist):
            raise CliError(NO_TOKENS)
        verify_client_table(settings, _mapping(settings))
        serve(settings, app, sock=sock, workers=workers)
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
    in_database(settings, lambda: install_demo_token(token))
    sys.stdout.write(demo_banner(settings, files, token, served))
    sys.stdout.flush()


def _migrate(args: argparse.Namespace) -> int:
    from whmcs_bridge.db import migrate
    from whmcs_bridge.problems import database_place

    settings = load_settings()
    applied = database_step(settings, lambda: migrate(settings.database_url))
    place = database_place(settings.database_url)
    if applied:
        sys.stdout.write(f"Applied {len(applied)} migration(s) to {place}: {', '.join(applied)}.\n")
    else:
        sys.stdout.write(f"Nothing to apply: {place} is up to date.\n")
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    from integrations.whmcs.sandbox import StateFileError, serve_forever

    load_settings()
    try:
        serve_forever(port=args.port, host=args.host, control=args.control, data_file=args.data)
    except StateFileError as exc:
        raise CliError(f"{exc}: delete it to start from the demo data") from None
    except OSError as exc:
        from whmcs_bridge.listen import listen_problem

        raise CliError(listen_problem(exc, args.host, args.port, "--port")) from None
    return 0


def _check(args: argparse.Namespace) -> int:
    from integrations.whmcs.sync.mapping import MappingError
    from integrations.whmcs.sync.registry import load_mapping
    from whmcs_bridge.app import connection_check

    settings = load_settings()
    try:
        mapping = load_mapping(settings.field_mapping_file)  # before the database
    except MappingError as exc:
        raise SettingsError(str(exc)) from None
    # The check writes to the audit log: a database that cannot take it fails here, in one line,
    # before a sandbox starts or WHMCS is called.
    in_database(settings, database_ready)
    verify_client_table(settings, mapping)
    report = database_step(settings, lambda: connection_check(settings))
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


if __name__ == "__main__":
    raise SystemExit(main())
