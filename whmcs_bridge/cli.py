"""The `whmcs-bridge` command: serve, migrate, sandbox, check, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

from tortoise.exceptions import DBConnectionError, OperationalError

from whmcs_bridge.settings import Settings, SettingsError

T = TypeVar("T")


class DatabaseNotReadyError(RuntimeError):
    """A one-shot command could not use the database."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except SettingsError as exc:
        sys.stderr.write(f"whmcs-bridge: configuration error: {exc}\n")
        return 2
    except DatabaseNotReadyError as exc:
        sys.stderr.write(f"whmcs-bridge: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="whmcs-bridge", description="GraphQL bridge between your application and WHMCS."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API server")
    serve.add_argument("--host", help="address to bind (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: PORT or 8000)")
    serve.add_argument("--workers", type=int, help="processes (default: WORKERS or 1)")
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(run=_migrate)

    sandbox = commands.add_parser("sandbox", help="run the WHMCS sandbox on its own")
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.set_defaults(run=_sandbox)

    check = commands.add_parser("check", help="test the connection to WHMCS (exit 1 on failure)")
    check.set_defaults(run=_check)

    tokens = commands.add_parser("tokens", help="manage API tokens").add_subparsers(
        dest="tokens_command", required=True
    )
    create = tokens.add_parser("create", help="create a token; prints it once, on stdout")
    create.add_argument("name")
    create.add_argument("--scope", choices=["read", "write", "metrics"], required=True)
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
    purge.set_defaults(run=_logs_purge)
    erase = logs.add_parser("erase", help="scrub one client's personal data from the audit log")
    erase.add_argument("--local-id", type=int)
    erase.add_argument("--whmcs-id", type=int)
    erase.set_defaults(run=_logs_erase)

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("--output", type=Path, help="write to this file instead of stdout")
    export.set_defaults(run=_export_schema)
    return parser


def _settings() -> Settings:
    from whmcs_bridge.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.secret_values(), settings.log_format)
    return settings


def _serve(args: argparse.Namespace) -> int:
    from integrations.whmcs.sync.mapping import MappingError
    from whmcs_bridge.app import create_app
    from whmcs_bridge.server import serve

    settings = _settings()
    if args.host:  # the Host names answered (ALLOWED_HOSTS' default) follow the address bound
        settings = dataclasses.replace(settings, host=args.host)
    workers = settings.workers if args.workers is None else args.workers
    if not 1 <= workers <= 64:
        raise SettingsError(f"--workers must be between 1 and 64, got {workers}.")
    if workers > 1 and settings.whmcs.use_sandbox:
        raise SettingsError(
            "Several workers need a real WHMCS (WHMCS_API_URL): each would run its own sandbox."
        )
    try:
        app = create_app(settings)
    except MappingError as exc:
        raise SettingsError(str(exc)) from None
    if not _tokens_ready(settings):
        return 2
    serve(
        settings,
        app,
        host=settings.host,
        port=args.port or settings.port,
        workers=workers,
    )
    return 0


DEMO_BANNER = """
--------------------------------------------------------------------------
  Demo API token (write scope), new at every start of the sandbox demo:

      Authorization: Bearer {token}

  GraphiQL: open http://{host}:{port}/graphql, then paste into the
  Headers pane at the bottom:  {{"Authorization": "Bearer {token}"}}
  curl:  -H 'Authorization: Bearer {token}'
{anonymous}--------------------------------------------------------------------------
"""


def _tokens_ready(settings: Settings) -> bool:
    """Demo: print a fresh token. Otherwise: refuse to serve while no token exists."""
    from models import ApiToken, TokenScope
    from whmcs_bridge.tokens import replace_token

    if settings.whmcs.use_sandbox:
        token = _in_database(lambda: replace_token("demo", TokenScope.WRITE))
        anonymous = (
            "  Demo only: requests without a token are accepted too (DEMO_ALLOW_ANONYMOUS).\n"
            "  With a real WHMCS configured, every request needs a token.\n"
            if settings.anonymous_allowed
            else ""
        )
        sys.stdout.write(
            DEMO_BANNER.format(
                token=token, host=settings.host, port=settings.port, anonymous=anonymous
            )
        )
        sys.stdout.flush()
        return True
    if not _in_database(ApiToken.exists):
        sys.stderr.write(
            "whmcs-bridge: no API token exists, so nobody could use this server: create one "
            "with `whmcs-bridge tokens create NAME --scope write`.\n"
        )
        return False
    return True


def _migrate(args: argparse.Namespace) -> int:
    from whmcs_bridge.db import migrate

    settings = _settings()
    asyncio.run(migrate(settings.database_url))
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    from integrations.whmcs.sandbox import serve_forever

    _settings()
    serve_forever(port=args.port, host=args.host)
    return 0


def _check(args: argparse.Namespace) -> int:
    from integrations.whmcs.sync.mapping import MappingError
    from whmcs_bridge.app import connection_check

    settings = _settings()
    try:
        report = asyncio.run(connection_check(settings))
    except MappingError as exc:
        raise SettingsError(str(exc)) from None
    if report.success:
        sys.stdout.write(f"OK: {report.message} ({report.response_time_ms} ms)\n")
        return 0
    failure = report.failure.name if report.failure else "UNKNOWN"
    sys.stdout.write(f"FAILED [{failure}]: {report.message}\nHint: {report.hint}\n")
    return 1


def _in_database(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` with the configured database open (for one-shot commands)."""
    from tortoise.context import TortoiseContext

    from whmcs_bridge.db import tortoise_config

    settings = _settings()

    async def run() -> T:
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(settings.database_url))
            return await work()

    try:
        return asyncio.run(run())
    except (OperationalError, DBConnectionError) as exc:
        raise DatabaseNotReadyError(
            f"the database is not ready ({type(exc).__name__}: {exc}); "
            "is DATABASE_URL right, and has `whmcs-bridge migrate` run?"
        ) from None


def _tokens_create(args: argparse.Namespace) -> int:
    from models import TokenScope
    from whmcs_bridge.tokens import TokenError, create_token

    try:
        token = _in_database(lambda: create_token(args.name, TokenScope(args.scope)))
    except TokenError as exc:
        sys.stderr.write(f"whmcs-bridge: {exc}\n")
        return 1
    sys.stdout.write(token + "\n")
    sys.stderr.write(f"Token {args.name!r} ({args.scope}) created. It is shown only this once.\n")
    return 0


def _tokens_list(args: argparse.Namespace) -> int:
    from whmcs_bridge.tokens import list_tokens

    for row in _in_database(list_tokens):
        used = row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else "never"
        sys.stdout.write(
            f"{row.name}\t{row.scope.value}\tcreated {row.created_at:%Y-%m-%d}\tused {used}\n"
        )
    return 0


def _tokens_revoke(args: argparse.Namespace) -> int:
    from whmcs_bridge.tokens import TokenError, revoke_token

    try:
        _in_database(lambda: revoke_token(args.name))
    except TokenError as exc:
        sys.stderr.write(f"whmcs-bridge: {exc}\n")
        return 1
    sys.stdout.write(f"Token {args.name!r} revoked.\n")
    return 0


def _logs_purge(args: argparse.Namespace) -> int:
    from whmcs_bridge.maintenance import purge_logs

    if args.older_than < 0:
        sys.stderr.write("whmcs-bridge: --older-than must be 0 or more days\n")
        return 2
    deleted = _in_database(lambda: purge_logs(args.older_than))
    sys.stdout.write(f"Deleted {deleted} audit entries older than {args.older_than} days.\n")
    return 0


def _logs_erase(args: argparse.Namespace) -> int:
    from whmcs_bridge.maintenance import erase_person

    if args.local_id is None and args.whmcs_id is None:
        sys.stderr.write("whmcs-bridge: name the client with --local-id and/or --whmcs-id\n")
        return 2
    changed = _in_database(lambda: erase_person(local_id=args.local_id, whmcs_id=args.whmcs_id))
    sys.stdout.write(f"Scrubbed personal data from {changed} audit entries.\n")
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from graph.schema import schema

    sdl = schema.as_str() + "\n"
    if args.output:
        args.output.write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
