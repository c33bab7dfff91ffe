"""The administrative commands: tokens, audit-log retention, the demo's reset, the schema."""

from __future__ import annotations

import argparse
import sys

from whmcs_bridge.cli_common import CliError, confirm, database_step, in_database, load_settings


def tokens_create(args: argparse.Namespace) -> int:
    from models import TokenScope
    from whmcs_bridge.tokens import TokenError, create_token

    settings = load_settings()
    try:
        token = in_database(settings, lambda: create_token(args.name, TokenScope(args.scope)))
    except TokenError as exc:
        raise CliError(str(exc), exit_code=1) from None
    sys.stdout.write(token + "\n")
    sys.stderr.write(f"Token {args.name!r} ({args.scope}) created. It is shown only this once.\n")
    return 0


def tokens_list(args: argparse.Namespace) -> int:
    from whmcs_bridge.tokens import DEMO_NAME, list_tokens

    for row in in_database(load_settings(), list_tokens):
        used = row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else "never"
        note = "\t(sandbox demo only)" if row.name == DEMO_NAME else ""
        sys.stdout.write(
            f"{row.name}\t{row.scope.value}\tcreated {row.created_at:%Y-%m-%d}\tused {used}{note}\n"
        )
    return 0


def tokens_revoke(args: argparse.Namespace) -> int:
    from whmcs_bridge.tokens import TokenError, revoke_token

    try:
        in_database(load_settings(), lambda: revoke_token(args.name))
    except TokenError as exc:
        raise CliError(str(exc), exit_code=1) from None
    sys.stdout.write(f"Token {args.name!r} revoked.\n")
    return 0


def logs_purge(args: argparse.Namespace) -> int:
    from whmcs_bridge.maintenance import count_old_logs, purge_logs

    if args.older_than < 0:
        raise CliError("--older-than must be 0 or more days")
    settings = load_settings()
    count = in_database(settings, lambda: count_old_logs(args.older_than))
    what = f"{count} audit entries older than {args.older_than} days"
    if args.dry_run:
        sys.stdout.write(f"Would delete {what} (dry run: nothing deleted).\n")
        return 0
    if count == 0:
        sys.stdout.write(f"Deleted {what}.\n")
        return 0
    if not args.yes:
        confirm(f"Delete {what} (this cannot be undone)")
    deleted = in_database(settings, lambda: purge_logs(args.older_than))
    sys.stdout.write(f"Deleted {deleted} audit entries older than {args.older_than} days.\n")
    return 0


def logs_erase(args: argparse.Namespace) -> int:
    from whmcs_bridge.maintenance import erase_person

    if args.local_id is None and args.whmcs_id is None:
        raise CliError("name the client with --local-id and/or --whmcs-id")
    changed = in_database(
        load_settings(), lambda: erase_person(local_id=args.local_id, whmcs_id=args.whmcs_id)
    )
    sys.stdout.write(f"Scrubbed personal data from {changed} audit entries.\n")
    return 0


def demo_reset(args: argparse.Namespace) -> int:
    from whmcs_bridge.db import migrate
    from whmcs_bridge.demo import DemoError, DemoLock, demo_files, reset

    settings = load_settings()
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
            confirm(f"Delete the demo database {files.database} and the sandbox's data")
        removed = reset(files)
    except DemoError as exc:
        raise CliError(str(exc)) from None
    try:
        database_step(settings, lambda: migrate(settings.database_url))
    finally:
        lock.release()
    gone = ", ".join(str(p) for p in removed) or "nothing (it was fresh)"
    sys.stdout.write(
        f"Demo reset: removed {gone}; migrated a fresh {files.database}. The demo token "
        f"({files.token}) stays the same.\n"
    )
    return 0


def export_schema(args: argparse.Namespace) -> int:
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
