"""What every `whmcs-bridge` command shares: the one-line error, the settings, the database."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from whmcs_bridge.settings import Settings, SettingsError

if TYPE_CHECKING:
    from integrations.whmcs.sync.mapping import FieldMapping

T = TypeVar("T")


class CliError(RuntimeError):
    """A command cannot go on; the message (one line) says what to fix."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def load_settings() -> Settings:
    from whmcs_bridge.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.secret_values(), settings.log_format)
    if settings.log_level != "DEBUG":
        # "Tortoise-ORM started/shutdown" around every command says nothing a user needs, and
        # would turn a one-line failure into three lines.
        logging.getLogger("tortoise").setLevel(logging.WARNING)
    return settings


async def database_ready() -> None:
    from models import SyncLog

    await SyncLog.exists()


def database_step(settings: Settings, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `work` (which opens the database itself); a database failure becomes one line."""
    from whmcs_bridge.problems import database_problem

    try:
        return asyncio.run(work())
    except Exception as exc:
        problem = database_problem(exc, settings.database_url)
        if problem is None:
            raise
        raise CliError(problem) from None


def in_database(settings: Settings, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `work` with the configured database open (for one-shot commands)."""
    from tortoise.context import TortoiseContext

    from whmcs_bridge.db import tortoise_config

    async def run() -> T:
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(settings.database_url))
            return await work()

    return database_step(settings, run)


def confirm(action: str) -> None:
    """Ask on the terminal; no terminal (cron, a pipe) is a refusal that names --yes."""
    if not sys.stdin.isatty():
        raise CliError(f"{action}: confirm with --yes (there is no terminal to ask on)")
    sys.stderr.write(f"{action}? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise CliError("nothing done (not confirmed)", exit_code=1)


def verify_client_table(settings: Settings, mapping: FieldMapping) -> None:
    """`[client.table]`: the table and its mapped columns must exist, before anything starts.
    What is missing is a configuration error; a database that cannot be reached, one line."""
    if mapping.table is None:
        return
    from tortoise.context import TortoiseContext

    from integrations.whmcs.sync.stores import client_store_connections
    from integrations.whmcs.sync.stores.existing_table import ExistingTableStore
    from integrations.whmcs.sync.stores.table_shape import ExistingTableError
    from whmcs_bridge.db import tortoise_config
    from whmcs_bridge.problems import database_problem

    extra = client_store_connections(mapping)

    async def run() -> None:
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(settings.database_url, extra_connections=extra))
            await ExistingTableStore(mapping).verify()

    own = mapping.table.database_url
    try:
        asyncio.run(run())
    except ExistingTableError as exc:
        raise SettingsError(str(exc)) from None
    except Exception as exc:
        problem = database_problem(exc, own or settings.database_url)
        if problem is None:
            raise
        if own:
            problem = problem.replace("DATABASE_URL", "[client.table] database_url")
        raise CliError(problem) from None
