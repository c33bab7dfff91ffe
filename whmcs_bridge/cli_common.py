"""What every `whmcs-bridge` command shares: the one-line error, the settings, the database."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from whmcs_bridge.settings import Settings

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
