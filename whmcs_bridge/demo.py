"""The sandbox demo's files beside its database: sandbox data, the demo token, a lock.

`whmcs-bridge serve` without `WHMCS_API_URL` keeps, next to the SQLite file (`./data` for a
server database):

    <name>.sandbox.json   the built-in sandbox's data (a restart keeps WHMCS's records)
    <name>.demo-token     the demo's API token, readable by its owner only (0600)
    <name>.demo.lock      held while a demo server runs, so two never share the folder

`whmcs-bridge demo reset` removes the sandbox data and the SQLite database together (and migrates
a fresh one); the token file stays, so saved GraphiQL headers and the Angular example keep
working.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from whmcs_bridge.settings import Settings
from whmcs_bridge.tokens import looks_like_token, new_token

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a second demo is then not detected
    fcntl = None  # type: ignore[assignment]

_SERVER_DATABASE_FOLDER = Path("data")


class DemoError(RuntimeError):
    """A demo command cannot be done; the message says what to do."""


@dataclass(frozen=True, slots=True)
class DemoFiles:
    folder: Path
    name: str
    database: Path | None  # the SQLite file, when the database is one

    @property
    def sandbox_data(self) -> Path:
        return self.folder / f"{self.name}.sandbox.json"

    @property
    def token(self) -> Path:
        return self.folder / f"{self.name}.demo-token"

    @property
    def lock(self) -> Path:
        return self.folder / f"{self.name}.demo.lock"


def demo_files(settings: Settings) -> DemoFiles | None:
    """Where this configuration's demo keeps its files; None for an in-memory database."""
    url = settings.database_url
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        if path in ("", ":memory:"):
            return None
        database = Path(path)
        return DemoFiles(database.parent, database.stem, database)
    return DemoFiles(_SERVER_DATABASE_FOLDER, "whmcs-bridge", None)


def demo_token(files: DemoFiles) -> str:
    """The demo's token: the one in the token file, or a new one written there (0600)."""
    try:
        existing = files.token.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    except OSError as exc:
        raise DemoError(f"cannot read the demo token file {files.token}: {exc.strerror}") from None
    if looks_like_token(existing):
        _owner_only(files.token)
        return existing
    token = new_token()
    files.folder.mkdir(parents=True, exist_ok=True)
    temporary = files.token.with_name(f".{files.token.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
        os.replace(temporary, files.token)
    except OSError as exc:
        raise DemoError(f"cannot write the demo token file {files.token}: {exc.strerror}") from None
    return token


def _owner_only(path: Path) -> None:
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


class DemoLock:
    """Held while a demo server runs on these files (an advisory lock, released at exit)."""

    def __init__(self, files: DemoFiles) -> None:
        self._files = files
        self._handle: IO[str] | None = None

    def acquire(self, doing: str) -> None:
        self._files.folder.mkdir(parents=True, exist_ok=True)
        # Owner-only like every file beside the database (it holds only a process id).
        fd = os.open(self._files.lock, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                handle.close()
                raise DemoError(
                    f"a whmcs-bridge demo server ({holder}) is using {self._files.folder}: "
                    f"stop it before {doing}"
                ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def reset(files: DemoFiles) -> list[Path]:
    """Remove the sandbox data and the SQLite database (with its WAL files); returns what went.

    The caller holds the lock (no demo server runs) and has checked this is the demo.
    """
    if files.database is None:
        raise DemoError(
            "demo reset removes a SQLite demo database only; DATABASE_URL names a server "
            "database: empty it yourself, or point DATABASE_URL at a SQLite file"
        )
    removed = []
    database = files.database
    candidates = [files.sandbox_data, database]
    candidates += [database.with_name(database.name + s) for s in ("-wal", "-shm", "-journal")]
    for path in candidates:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    return removed


_BANNER = """
--------------------------------------------------------------------------
  Sandbox demo serving on {served}
  (the built-in WHMCS sandbox: no real WHMCS is reached)

  Demo API token (write scope){kept}:

      Authorization: Bearer {token}

  GraphiQL: open {served}/graphql, then paste into the
  Headers pane at the bottom:  {{"Authorization": "Bearer {token}"}}
  curl:  -H 'Authorization: Bearer {token}'

{anonymous}{data}--------------------------------------------------------------------------
"""


def demo_banner(settings: Settings, files: DemoFiles | None, token: str, served: str) -> str:
    """What `serve` prints in the demo: the URL served, the token, anonymous access, the data."""
    if settings.anonymous_allowed:
        anonymous = (
            "  Requests without a token are accepted too (loopback only; DEMO_ALLOW_ANONYMOUS).\n"
        )
    elif settings.demo_anonymous:
        anonymous = (
            f"  Bound to {settings.host}, not loopback: requests WITHOUT the token are refused.\n"
        )
    else:
        anonymous = "  DEMO_ALLOW_ANONYMOUS=false: requests without the token are refused.\n"
    if files is None:
        kept, data = ", new at every start (in-memory database)", ""
    else:
        kept = f", the same at every start\n  (kept in {files.token}, readable by you only)"
        data = f"  Sandbox data: {files.sandbox_data}. Start over: whmcs-bridge demo reset\n"
    return _BANNER.format(served=served, token=token, kept=kept, anonymous=anonymous, data=data)
