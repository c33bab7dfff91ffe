"""Tortoise configuration: one app, `models`, migrated by the built-in engine from `migrations/`."""

from __future__ import annotations

import os
from typing import Any

from whmcs_bridge.settings import DEFAULT_DATABASE_URL

MODELS_MODULES = ["models"]


def tortoise_config(database_url: str, *, make_folder: bool = True) -> dict[str, Any]:
    return {
        "connections": {"default": _with_driver_options(database_url, make_folder=make_folder)},
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


def _with_driver_options(url: str, *, make_folder: bool) -> str:
    # A relative sqlite path is relative to the working directory: make sure its folder exists.
    if url.startswith("sqlite://") and url not in ("sqlite://:memory:",):
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        directory = os.path.dirname(path)
        if directory and make_folder:
            os.makedirs(directory, exist_ok=True)
        if "synchronous=" not in url:
            # WAL (Tortoise's default) with synchronous=NORMAL: a commit survives a crash of this
            # process and the file is never corrupted; only an OS crash or power loss can undo the
            # last commits. FULL fsyncs every commit (2-4 ms each here, several per operation).
            # `?synchronous=FULL` in DATABASE_URL keeps the old behaviour. See decision 13.
            url += ("&" if "?" in url else "?") + "synchronous=NORMAL"
    return url


# For the `tortoise` CLI (`tortoise makemigrations`), via [tool.tortoise] in pyproject.toml.
# (Importing this module creates no folder: only a command that opens the database does.)
TORTOISE_ORM = tortoise_config(
    os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, make_folder=False
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
