"""The sandbox's data on disk, so that a restart is a restart and not a new WHMCS.

``SandboxState.data()`` (every record collection and id counter; not the call journal, queued
faults or latency, which belong to one run) is written as one JSON document after every change,
atomically (a temporary file in the same folder, fsync, rename) and readable by its owner only.

The codec is generic: records are the sandbox's own dataclasses, named by module and class, so a
new kind of record persists without touching this file. Loading keeps the fields a record class
still has and lets missing ones take their defaults, so a file survives a field being added.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import decimal
import enum
import importlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from .state import SandboxState

logger = logging.getLogger(__name__)

FORMAT = 1
_PACKAGE = __name__.rpartition(".")[0]
_TAG = "~"


class StateFileError(Exception):
    """The sandbox's data file cannot be read back; the message names the file."""


class StateFile:
    """One sandbox's data file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load_into(self, state: SandboxState) -> bool:
        """Replace ``state``'s data with the file's; ``False`` when there is no file yet."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StateFileError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            document = json.loads(raw)
            if not isinstance(document, dict) or document.get("format") != FORMAT:
                raise ValueError(f"not a format-{FORMAT} sandbox data file")
            data = _decode(document["state"])
            if not isinstance(data, dict):
                raise ValueError("no state object")
            ignored = state.restore(data)
        except (ValueError, KeyError, TypeError, AttributeError, ImportError) as exc:
            problem = f"{self.path} is not a readable sandbox data file ({exc})"
            raise StateFileError(problem) from None
        if ignored:
            logger.warning("Sandbox data file %s: ignored %s", self.path, ", ".join(ignored))
        return True

    def save(self, state: SandboxState) -> None:
        """Write ``state``'s data atomically: a crash leaves the old file or the new one."""
        document = {"format": FORMAT, "state": _encode(state.data())}
        payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:  # mkstemp creates it 0600
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        _fsync_folder(folder)

    def save_after_change(self, state: SandboxState) -> None:
        """``save`` for a running sandbox: a failure is logged once, the answer still goes out."""
        try:
            self.save(state)
        except OSError as exc:
            logger.error("Sandbox data NOT saved to %s: %s", self.path, exc.strerror or exc)


def _fsync_folder(folder: Path) -> None:
    # The rename is durable once the folder's entry is; not every platform can open a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and _TAG not in value:
            return {k: _encode(v) for k, v in value.items()}
        return {_TAG: "map", "items": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple | set | frozenset):
        return {_TAG: type(value).__name__, "items": [_encode(v) for v in value]}
    if isinstance(value, enum.Enum):
        return {_TAG: "enum", "type": _type_name(type(value)), "value": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {_TAG: "record", "type": _type_name(type(value)), "fields": fields}
    if isinstance(value, datetime.datetime | datetime.date):
        return {_TAG: type(value).__name__, "value": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {_TAG: "decimal", "value": str(value)}
    raise TypeError(f"the sandbox cannot store a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(_TAG)
    if tag is None:
        return {k: _decode(v) for k, v in value.items()}
    match tag:
        case "map":
            return {_decode(k): _decode(v) for k, v in value["items"]}
        case "tuple":
            return tuple(_decode(v) for v in value["items"])
        case "set":
            return {_decode(v) for v in value["items"]}
        case "frozenset":
            return frozenset(_decode(v) for v in value["items"])
        case "enum":
            return _sandbox_type(value["type"], enum.Enum)(value["value"])
        case "record":
            return _record(value["type"], value["fields"])
        case "datetime":
            return datetime.datetime.fromisoformat(value["value"])
        case "date":
            return datetime.date.fromisoformat(value["value"])
        case "decimal":
            return decimal.Decimal(value["value"])
    raise ValueError(f"unknown entry kind {tag!r}")


def _record(type_name: str, stored: dict[str, Any]) -> Any:
    cls = _sandbox_type(type_name, object)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"{type_name} is not a record type")
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    return cls(**{k: _decode(v) for k, v in stored.items() if k in known})


def _type_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _sandbox_type(name: str, base: type) -> Any:
    """Only the sandbox's own classes: a data file never names arbitrary code."""
    module_name, _, qualname = name.partition(":")
    if module_name != _PACKAGE and not module_name.startswith(_PACKAGE + "."):
        raise ValueError(f"{name} is not a sandbox type")
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not isinstance(found, type) or not issubclass(found, base):
        raise ValueError(f"{name} is not a sandbox type")
    return found
