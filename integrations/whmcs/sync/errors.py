"""Domain errors of the sync services. `graph` maps each one to its union member.

SyncError
├── RecordNotFound        a local or WHMCS record does not exist (side = LOCAL | WHMCS)
├── InvalidInput          one or more fields are invalid (every offending field is listed)
│   └── ValueTaken        a value that must be unique locally (the e-mail) is another record's
├── AlreadyLinked         the record already has a link (local_id / whmcs_id say which; the
│                         operation was for requested_local_id when another record holds it)
├── NotLinked             the local record has no link
├── DuplicateInWhmcs      the e-mail already belongs to a WHMCS client
├── FieldConflict         WHMCS changed fields since the last sync that the update would overwrite
├── SyncInProgress        another operation holds the record's claim
└── WhmcsUnusable         WHMCS failed or is switched off (wraps the transport's WhmcsError)

RecordNotFound, AlreadyLinked, NotLinked and SyncInProgress carry their `entity_type`; their
messages use the registry's word for it (sync/registry.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from integrations.whmcs.errors import WhmcsError
from integrations.whmcs.sync.store import LocalId
from models import EntityType


class SyncError(Exception):
    """Base of the expected failures; `message` is safe to show to API clients."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _word(entity_type: EntityType) -> str:
    """The registry's word for the type ("client"), as messages use it."""
    from integrations.whmcs.sync.registry import word  # the registry imports this module

    return word(entity_type)


class RecordNotFound(SyncError):
    def __init__(self, entity_type: EntityType, record_id: int | str, side: str) -> None:
        where = "locally" if side == "LOCAL" else "in WHMCS"
        super().__init__(f"No {_word(entity_type)} {record_id} {where}.")
        self.entity_type = entity_type
        self.record_id = str(record_id)
        self.side = side


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    message: str


class InvalidInput(SyncError):
    def __init__(self, problems: list[FieldProblem], message: str | None = None) -> None:
        names = ", ".join(p.field for p in problems)
        super().__init__(message or f"Invalid input: {names}.")
        self.problems = problems


class ValueTaken(InvalidInput):
    """A local store refused a value another of its records holds (its unique index): the
    caller may know better (a concurrent write won the race)."""


class AlreadyLinked(SyncError):
    def __init__(
        self,
        local_id: LocalId | None,
        whmcs_id: int | None,
        message: str,
        *,
        requested_local_id: LocalId | None = None,
        entity_type: EntityType = EntityType.CLIENT,
    ) -> None:
        super().__init__(message)
        self.local_id = local_id
        self.whmcs_id = whmcs_id
        self.requested_local_id = requested_local_id
        self.entity_type = entity_type


class NotLinked(SyncError):
    def __init__(self, local_id: LocalId, entity_type: EntityType = EntityType.CLIENT) -> None:
        word = _word(entity_type)
        super().__init__(f"Local {word} {local_id} is not linked to a WHMCS {word}.")
        self.local_id = local_id
        self.entity_type = entity_type


@dataclass(frozen=True, slots=True)
class StaleLink:
    """A link found stale and marked ERROR: its WHMCS client no longer exists, or holds another
    person now (another e-mail than at the last sync). `released`: its WHMCS id was cleared for
    the local record WHMCS really holds under it."""

    local_id: LocalId
    whmcs_id: int
    reason: str
    released: bool


class DuplicateInWhmcs(SyncError):
    def __init__(self, whmcs_id: int, email: str, stale: StaleLink | None = None) -> None:
        before = (
            f" (it was linked to local client {stale.local_id}, whose link is stale: marked ERROR)"
            if stale is not None
            else ""
        )
        super().__init__(
            f"WHMCS client {whmcs_id} already has the e-mail {email}{before}: retry with "
            "linkExisting: true to link it, or use linkClient."
        )
        self.whmcs_id = whmcs_id
        self.stale = stale


@dataclass(frozen=True, slots=True)
class Difference:
    field: str  # the WHMCS field, by WHMCS's name (phonenumber)
    local: str | None
    whmcs: str | None
    base: str | None
    local_field: str | None = None  # the local field it maps to, by its API name (phoneNumber)


class FieldConflict(SyncError):
    def __init__(self, diffs: list[Difference], message: str | None = None) -> None:
        names = ", ".join(d.field for d in diffs)
        super().__init__(
            message
            or f"WHMCS changed {names} since the last sync; pull first, or update with force: "
            "true to overwrite."
        )
        self.diffs = diffs


class SyncInProgress(SyncError):
    def __init__(
        self,
        local_id: LocalId | None = None,
        whmcs_id: int | None = None,
        *,
        message: str | None = None,
        entity_type: EntityType = EntityType.CLIENT,
    ) -> None:
        word = _word(entity_type)
        what = f"local {word} {local_id}" if local_id is not None else f"WHMCS {word} {whmcs_id}"
        super().__init__(
            message or f"Another operation on {what} is running; nothing was done. Try again."
        )
        self.entity_type = entity_type


class WhmcsUnusable(SyncError):
    """WHMCS cannot be used for this operation.

    `kind` is REJECTED, UNAVAILABLE, AUTH or DISABLED.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        whmcs_message: str | None = None,
        hint: str | None = None,
        retryable: bool = False,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.whmcs_message = whmcs_message
        self.hint = hint
        self.retryable = retryable
        self.retry_after_s = retry_after_s

    @classmethod
    def disabled(cls) -> WhmcsUnusable:
        return cls(
            "DISABLED",
            "The WHMCS integration is switched off (WHMCS_ENABLED=false).",
            hint="Set WHMCS_ENABLED=true and restart to use WHMCS.",
        )

    @classmethod
    def from_error(cls, error: WhmcsError) -> WhmcsUnusable:
        from integrations.whmcs import errors as e

        if isinstance(error, e.WhmcsAuthError):
            kind = "AUTH"
        elif isinstance(error, e.WhmcsApiError):
            kind = "REJECTED"
        else:
            kind = "UNAVAILABLE"
        retry_after = getattr(error, "retry_after_s", None)
        return cls(
            kind,
            error.message,
            whmcs_message=error.whmcs_message,
            hint=error.hint,
            retryable=error.retryable,
            retry_after_s=retry_after if isinstance(retry_after, int) else None,
        )
