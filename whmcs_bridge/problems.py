"""One-line explanations of what went wrong with the database, for the CLI.

Each names what to fix (DATABASE_URL, the server, `whmcs-bridge migrate`) and the database by its
URL without the password. Drivers differ: asyncpg raises its own classes (or a bare OSError),
asyncmy puts MySQL's error code first in `args`, Tortoise wraps some of them; the whole chain of
causes is read.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

from tortoise.exceptions import ConfigurationError

_PG_AUTH = {"InvalidPasswordError", "InvalidAuthorizationSpecificationError"}
_PG_NO_DATABASE = {"InvalidCatalogNameError"}
_PG_NO_TABLE = {"UndefinedTableError"}
_MYSQL_AUTH = {1044, 1045, 1698}  # access denied to the database / for the user / no password
_MYSQL_NO_DATABASE = {1049}
_MYSQL_NO_TABLE = {1146}
_MYSQL_CANNOT_CONNECT = {2002, 2003, 2005}


def database_place(url: str) -> str:
    """The database URL with any password left out."""
    if url.startswith("sqlite://"):
        return url.split("?", 1)[0]
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ":?"
    return f"{parts.scheme}://{user}{parts.hostname or ''}{port}{parts.path}"


def database_problem(error: BaseException, url: str) -> str | None:
    """What to tell the user about `error` from the database at `url`; None when it is not
    a database problem this module knows (the caller lets it through)."""
    place = database_place(url)
    for cause in _chain(error):
        name = type(cause).__name__
        code = _mysql_code(cause)
        if name in _PG_AUTH or code in _MYSQL_AUTH:
            return (
                f"the database at {place} refused the credentials ({_detail(cause)}): "
                "fix the user and password in DATABASE_URL"
            )
        if name in _PG_NO_DATABASE or code in _MYSQL_NO_DATABASE:
            return (
                f"the database at {place} does not exist ({_detail(cause)}): create it, "
                "or fix its name in DATABASE_URL"
            )
        if name in _PG_NO_TABLE or code in _MYSQL_NO_TABLE or "no such table" in str(cause):
            return f"the database at {place} has no tables yet: run `whmcs-bridge migrate`"
        if isinstance(cause, socket.gaierror):
            return (
                f"cannot find the database host of {place} ({cause.strerror}): "
                "fix the host in DATABASE_URL"
            )
        if isinstance(cause, ConnectionRefusedError):
            return (
                f"cannot connect to the database at {place} (connection refused): start the "
                "database server, or fix the host and port in DATABASE_URL"
            )
        if isinstance(cause, TimeoutError):
            return (
                f"the database at {place} did not answer in time: check that the server runs "
                "and that DATABASE_URL's host and port reach it"
            )
        if isinstance(cause, ConfigurationError):
            return f"DATABASE_URL is not a usable database URL ({cause}): fix it"
        if code in _MYSQL_CANNOT_CONNECT:
            return (
                f"cannot connect to the database at {place} ({_detail(cause)}): start the "
                "database server, or fix the host and port in DATABASE_URL"
            )
        if "unable to open database file" in str(cause):
            return (
                f"cannot open the SQLite file of {place}: check that its folder exists and is "
                "writable, or fix DATABASE_URL"
            )
        if isinstance(cause, OSError) and cause.errno is not None:
            return (
                f"cannot reach the database at {place} ({cause.strerror}): check DATABASE_URL "
                "and the database server"
            )
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(seen) < 20:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _mysql_code(error: BaseException) -> int | None:
    if not type(error).__module__.startswith(("asyncmy", "pymysql", "aiomysql")):
        return None
    code = error.args[0] if error.args else None
    return code if isinstance(code, int) else None


def _detail(error: BaseException) -> str:
    """The server's own words (never holding a password), on one line."""
    text = str(error.args[1]) if _mysql_code(error) is not None and len(error.args) > 1 else ""
    text = text or str(error) or type(error).__name__
    return " ".join(text.split())[:200]
