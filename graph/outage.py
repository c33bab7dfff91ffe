"""Tell a database outage from a bug, so the client gets a clear, retryable answer."""

from __future__ import annotations

from tortoise.exceptions import DBConnectionError

_OUTAGE_NAMES = (
    "ConnectionDoesNotExistError",  # asyncpg: the server went away mid-query
    "CannotConnectNowError",
    "InterfaceError",  # asyncpg/asyncmy: the connection is closed
    "ConnectionResetError",
)
_MYSQL_LOST = {2003, 2006, 2013}  # can't connect, server has gone away, lost connection


def is_database_outage(error: BaseException | None) -> bool:
    """True when the database could not be reached (as opposed to a failing query)."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, DBConnectionError | ConnectionError | TimeoutError):
            return True
        if isinstance(error, OSError) and error.errno is not None:
            return True
        if type(error).__name__ in _OUTAGE_NAMES:
            return True
        code = error.args[0] if error.args else None
        if isinstance(code, int) and code in _MYSQL_LOST:
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False
