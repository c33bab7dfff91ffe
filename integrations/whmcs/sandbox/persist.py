"""The sandbox's data on disk, so that a restart is a restart and not a new WHMCS.

``SandboxState.data()`` (every record collection and id counter; not the call journal, queued
faults or latency, which belong to one run) is written as one JSON document after every change,
atomically (a temporary file in the same folder, fsync, rename) and readable by its owner only.
A running sandbox ``commit``s before it answers a write, as WHMCS commits before it answers:
the snapshot is taken on the event loop, the file written in a thread (the loop keeps serving),
one write at a time, and a write that finds its change already in a newer file is skipped.

The codec is generic: records are the sandbox's own dataclasses, named by module and class, so a
new kind of record persists without touching this file. Loading keeps the fields a record class
still has and lets missing ones take their defaults, so a file survives a field being added.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import decimal
import enum
import importlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

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
        self._lock = asyncio.Lock()
        self._changes = 0  # changes committed so far
        self._saved = 0  # how many of them the file holds

    def load_into(self, state: SandboxState) -> bool:
        """Replace ``state``'s data with the file's; ``False`` when there is no file yet."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StateFileError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            document = orjson.loads(raw)
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
        self._write(_payload(state))

    async def commit(self, state: SandboxState) -> None:
        """After a change, before the answer: the change is on disk when this returns.

        A failure is logged once (the answer still goes out; the next change writes again).
        """
        self._changes += 1
        mine = self._changes
        async with self._lock:
            if self._saved >= mine:
                return  # a write that started after this change has it
            covered = self._changes
            payload = _payload(state)  # on the loop: no change can interleave
            try:
                await asyncio.to_thread(self._write, payload)
            except OSError as exc:
                logger.error("Sandbox data NOT saved to %s: %s", self.path, exc.strerror or exc)
                return
            self._saved = covered

    def _write(self, payload: bytes) -> None:
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


def _payload(state: SandboxState) -> bytes:
    return orjson.dumps({"format": FORMAT, "state": _encode(state.data())})


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


_PLAIN = frozenset({type(None), bool, int, float, str})


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [v if type(v) in _PLAIN else _encode(v) for v in value]
    if kind is dict:
        if all(type(k) is str for k in value) and _TAG not in value:
            return {k: v if type(v) in _PLAIN else _encode(v) for k, v in value.items()}
        return {_TAG: "map", "items": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple | set | frozenset):
        return {_TAG: kind.__name__, "items": [_encode(v) for v in value]}
    if isinstance(value, enum.Enum):
        return {_TAG: "enum", "type": _type_name(kind), "value": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names, type_name = _record_type(kind)
        fields = {}
        for name in names:
            field = getattr(value, name)
            fields[name] = field if type(field) in _PLAIN else _encode(field)
        return {_TAG: "record", "type": type_name, "fields": fields}
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


_RECORD_TYPES: dict[type, tuple[tuple[str, ...], str]] = {}


def _record_type(cls: type) -> tuple[tuple[str, ...], str]:
    """A record class's field names and stored name, worked out once per class."""
    known = _RECORD_TYPES.get(cls)
    if known is None:
        known = _RECORD_TYPES[cls] = (
            tuple(f.name for f in dataclasses.fields(cls)),
            _type_name(cls),
        )
    return known


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
