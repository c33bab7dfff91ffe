"""Settings of one sandbox instance."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

DEFAULT_IDENTIFIER = "sandbox-identifier"
DEFAULT_SECRET = "sandbox-secret"  # a well-known development credential, never a real one
DEFAULT_VERSION = "8.13.3"


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """How the emulated WHMCS is set up.

    - ``allowed_ips``: ``None`` lets any address in; otherwise exact-match addresses, as
      WHMCS's *API IP Access Restriction* (no CIDR, an empty set denies everyone).
    - ``access_key``: when a request carries ``accesskey`` equal to it, the IP check is
      skipped (credentials are still required), like ``$api_access_key``.
    - ``allowed_actions``: ``None`` grants every action; otherwise the API role's
      whitelist, compared case-insensitively.
    - ``latency_ms``: added to every API answer (the live value is
      ``SandboxState.latency_ms``, which the control endpoint can change).
    - ``seed``: load the deterministic demo clients.
    """

    identifier: str = DEFAULT_IDENTIFIER
    secret: str = DEFAULT_SECRET
    access_key: str | None = None
    allowed_ips: Set[str] | None = None
    allowed_actions: Set[str] | None = None
    latency_ms: float = 0.0
    version: str = DEFAULT_VERSION
    seed: bool = True

    def __post_init__(self) -> None:
        # Accept any iterable (a set, a list) but store an immutable, hashable copy.
        if self.allowed_ips is not None:
            object.__setattr__(self, "allowed_ips", frozenset(self.allowed_ips))
        if self.allowed_actions is not None:
            lowered = frozenset(a.lower() for a in self.allowed_actions)
            object.__setattr__(self, "allowed_actions", lowered)
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")

    @property
    def canonical_version(self) -> str:
        return f"{self.version}-release.1"

    def ip_allowed(self, address: str) -> bool:
        return self.allowed_ips is None or address in self.allowed_ips

    def action_allowed(self, action: str) -> bool:
        return self.allowed_actions is None or action.lower() in self.allowed_actions
