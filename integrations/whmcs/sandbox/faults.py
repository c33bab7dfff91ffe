"""Injected failures: one queue of ``Fault`` rules, consumed as requests arrive."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any


class FaultKind(StrEnum):
    DELAY = "delay"  # sleep ``seconds``, then answer normally
    HTML_500 = "html_500"  # 8.x EmitterException page
    MAINTENANCE = "maintenance"  # "Down for Maintenance" page (503 unless ``status``)
    WAF_403 = "waf_403"  # a CDN/WAF challenge page: 403 that is NOT WHMCS JSON
    BOM = "bom"  # the real answer, prefixed with a UTF-8 BOM
    INVALID_IP = "invalid_ip"  # forced 403 "Invalid IP <addr>"
    AUTH_FAILED = "auth_failed"  # forced 403 "Authentication Failed"
    PERMISSION_DENIED = "permission_denied"  # forced 403 "Invalid Permissions: ..."
    DROP = "drop"  # close the connection without answering
    ERROR = "error"  # {"result":"error","message":message} with ``status`` (200)
    RAW = "raw"  # ``status`` / ``body`` / ``content_type`` as given


@dataclass(frozen=True, slots=True)
class Fault:
    """A failure to inject into the next ``times`` matching calls.

    ``action`` filters by action name (case-insensitive); ``None`` matches any call.
    With ``after_commit=True`` the call is processed first (a write really happens)
    and the failure replaces or delays its answer: this is how an outcome-unknown
    write is reproduced. ``bom`` always acts first (it decorates the real answer).
    """

    kind: FaultKind | str
    action: str | None = None
    times: int = 1
    after_commit: bool = False
    seconds: float = 0.0
    status: int | None = None
    message: str | None = None
    body: str | None = None
    content_type: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", FaultKind(self.kind))
        if self.times < 1:
            raise ValueError("times must be at least 1")
        if self.seconds < 0:
            raise ValueError("seconds must not be negative")

    @property
    def acts_first(self) -> bool:
        return self.after_commit or self.kind == FaultKind.BOM

    def matches(self, action: str) -> bool:
        return self.action is None or self.action.lower() == action.lower()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """Build from the control endpoint's JSON; unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        if "kind" not in data:
            raise ValueError("fault needs a kind")
        return cls(**data)


@dataclass(slots=True)
class _Pending:
    fault: Fault
    remaining: int


class FaultQueue:
    """First-in, first-out; the first rule matching the action is used once per call."""

    def __init__(self) -> None:
        self._pending: list[_Pending] = []

    def push(self, fault: Fault) -> None:
        self._pending.append(_Pending(fault, fault.times))

    def take(self, action: str) -> Fault | None:
        for index, entry in enumerate(self._pending):
            if entry.fault.matches(action):
                entry.remaining -= 1
                if entry.remaining == 0:
                    del self._pending[index]
                return entry.fault
        return None

    def clear(self) -> None:
        self._pending.clear()

    def pending(self) -> list[Fault]:
        return [entry.fault for entry in self._pending]

    def __len__(self) -> int:
        return len(self._pending)
