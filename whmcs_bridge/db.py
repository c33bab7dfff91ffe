"""Tortoise configuration: one app, `models`, migrated by the built-in engine from `migrations/`."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Mapping
from typing import Any

from whmcs_bridge.settings import DEFAULT_DATABASE_URL

MODELS_MODULES = ["models"]
logger = logging.getLogger(__name__)


def tortoise_config(
    database_url: str,
    *,
    create_file: bool = True,
    extra_connections: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The Tortoise configuration; a SQLite file (and its folder) is created for its owner
    only, unless ``create_file`` is false (the module-level TORTOISE_ORM, read at import).

    ``extra_connections`` (name -> URL) are opened too but hold no model: an application's
    existing clients table in another database (`[client.table] database_url`). The bridge
    never creates a file or a table there.
    """
    if create_file:
        _owner_only_sqlite(database_url)
    connections = {"default": _with_driver_options(database_url, create_file=create_file)}
    connections.update(extra_connections or {})
    return {
        "connections": connections,
        "apps": {
            "models": {
                "models": MODELS_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _sqlite_path(url: str) -> str | None:
    if not url.startswith("sqlite://") or url.startswith("sqlite://:memory:"):
        return None
    return url.removeprefix("sqlite://").split("?", 1)[0] or None


def _owner_only_sqlite(url: str) -> None:
    """Create the SQLite file, and the folders it needs, readable by their owner only.

    The audit log and the clients are personal data, and a new file would otherwise get the
    umask's mode (world-readable, usually). SQLite gives its -wal and -shm files the mode of the
    database file. An existing file keeps its mode: a warning says when others can read it.
    """
    path = _sqlite_path(url)
    if path is None:
        return
    _private_folders(os.path.dirname(path))
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        mode = os.stat(path).st_mode & 0o777
        if mode & 0o077:
            logger.warning(
                "The SQLite file %s can be read by other users (mode %o): chmod 600 it", path, mode
            )


def _private_folders(directory: str) -> None:
    """Create ``directory`` and any missing parent for the owner only (os.makedirs would give
    the parents the umask's mode)."""
    missing = []
    while directory and not os.path.isdir(directory):
        missing.append(directory)
        directory = os.path.dirname(directory)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            os.mkdir(folder, 0o700)


async def _keep_session(connection: Any) -> None:
    """The pool's reset of a PostgreSQL connection on its way back: nothing to do.

    asyncpg's default runs ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``
    each time a connection returns to the pool: one more round trip after every query, for
    session state the bridge never sets (no advisory locks, cursors, LISTEN or SET). An open
    transaction is still rolled back by asyncpg itself before this is called. See decision 33.
    """


def _with_driver_options(url: str, *, create_file: bool) -> str | dict[str, Any]:
    # A relative sqlite path is relative to the working directory: make sure its folder exists
    # (not when this module is imported: a command that fails before it opens the database
    # leaves nothing behind).
    if url.startswith(("postgres://", "asyncpg://")):
        from tortoise.backends.base.config_generator import expand_db_url
        from tortoise.exceptions import ConfigurationError

        try:
            config: dict[str, Any] = expand_db_url(url)
        except ConfigurationError:
            return url  # Tortoise says what is wrong with it where it always did, at start-up
        config["credentials"]["reset"] = _keep_session
        return config
    path = _sqlite_path(url)
    if path is not None and create_file:
        _private_folders(os.path.dirname(path))
        if "synchronous=" not in url:
            # WAL (Tortoise's default) with synchronous=NORMAL: a commit survives a crash of this
            # process and the file is never corrupted; only an OS crash or power loss can undo the
            # last commits. FULL fsyncs every commit (2-4 ms each here, several per operation).
            # `?synchronous=FULL` in DATABASE_URL keeps the old behaviour. See decision 13.
            url += ("&" if "?" in url else "?") + "synchronous=NORMAL"
    return url


# For the `tortoise` CLI (`tortoise makemigrations`), via [tool.tortoise] in pyproject.toml.
TORTOISE_ORM = tortoise_config(
    os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, create_file=False
)


async def migrate(database_url: str) -> list[str]:
    """Apply every pending migration (Tortoise's built-in engine); returns the names applied."""
    from tortoise import Tortoise
    from tortoise.migrations.api.migrate import migrate as run_migrations

    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(name)

    try:
        await run_migrations(config=tortoise_config(database_url), progress=progress)
    finally:
        await Tortoise.close_connections()
    return applied
