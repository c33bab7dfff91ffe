"""The `whmcs-bridge` command: serve, migrate, sandbox, check, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from whmcs_bridge.settings import Settings, SettingsError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except SettingsError as exc:
        sys.stderr.write(f"whmcs-bridge: configuration error: {exc}\n")
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
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(run=_migrate)

    sandbox = commands.add_parser("sandbox", help="run the WHMCS sandbox on its own")
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.set_defaults(run=_sandbox)

    check = commands.add_parser("check", help="test the connection to WHMCS (exit 1 on failure)")
    check.set_defaults(run=_check)

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("--output", type=Path, help="write to this file instead of stdout")
    export.set_defaults(run=_export_schema)
    return parser


def _settings() -> Settings:
    from whmcs_bridge.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.secret_values())
    return settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from integrations.whmcs.sync.mapping import MappingError
    from whmcs_bridge.app import create_app

    settings = _settings()
    try:
        app = create_app(settings)
    except MappingError as exc:
        raise SettingsError(str(exc)) from None
    uvicorn.run(
        app,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
    )
    return 0


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
