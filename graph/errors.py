"""Domain errors -> union members. The only place that knows both."""

from __future__ import annotations

from typing import Any

import strawberry

from graph.enums import ErrorCode
from graph.types.errors import (
    AlreadyLinkedError,
    ConflictError,
    DuplicateInWhmcsError,
    FieldDiff,
    FieldError,
    NotFoundError,
    NotLinkedError,
    StaleLink,
    SyncInProgressError,
    ValidationError,
    WhmcsError,
)
from integrations.whmcs.sync import errors as domain

_WHMCS_CODES = {
    "REJECTED": ErrorCode.WHMCS_REJECTED,
    "UNAVAILABLE": ErrorCode.WHMCS_UNAVAILABLE,
    "AUTH": ErrorCode.WHMCS_AUTH_FAILED,
    "DISABLED": ErrorCode.INTEGRATION_DISABLED,
}

ErrorMember = (
    NotFoundError
    | ValidationError
    | AlreadyLinkedError
    | NotLinkedError
    | DuplicateInWhmcsError
    | ConflictError
    | SyncInProgressError
    | WhmcsError
)


def _id(value: int | str | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


def stale_link(stale: domain.StaleLink | None) -> StaleLink | None:
    if stale is None:
        return None
    return StaleLink(
        local_id=strawberry.ID(str(stale.local_id)),
        whmcs_id=strawberry.ID(str(stale.whmcs_id)),
        reason=stale.reason,
        released=stale.released,
    )


def to_member(error: domain.SyncError) -> Any:
    """The union member for a domain error. An unknown error type is a bug: it raises.

    Typed Any on purpose: each result union admits the members its operation can raise, which
    the type checker cannot follow through `raise`.
    """
    return _member(error)


def _member(error: domain.SyncError) -> ErrorMember:
    match error:
        case domain.RecordNotFound():
            return NotFoundError(
                code=ErrorCode.NOT_FOUND,
                message=error.message,
                entity_type=error.entity_type,
                id=strawberry.ID(error.record_id),
                side=error.side,
            )
        case domain.InvalidInput():
            return ValidationError(
                code=ErrorCode.VALIDATION_FAILED,
                message=error.message,
                fields=[FieldError(field=p.field, message=p.message) for p in error.problems],
            )
        case domain.AlreadyLinked():
            return AlreadyLinkedError(
                code=ErrorCode.ALREADY_LINKED,
                message=error.message,
                local_id=_id(error.local_id),
                whmcs_id=_id(error.whmcs_id),
                requested_local_id=_id(error.requested_local_id),
            )
        case domain.NotLinked():
            return NotLinkedError(
                code=ErrorCode.NOT_LINKED,
                message=error.message,
                local_id=strawberry.ID(str(error.local_id)),
            )
        case domain.DuplicateInWhmcs():
            return DuplicateInWhmcsError(
                code=ErrorCode.DUPLICATE_IN_WHMCS,
                message=error.message,
                whmcs_id=strawberry.ID(str(error.whmcs_id)),
                stale_link=stale_link(error.stale),
            )
        case domain.FieldConflict():
            return ConflictError(
                code=ErrorCode.CONFLICT,
                message=error.message,
                diffs=[
                    FieldDiff(
                        field=d.field,
                        local=d.local,
                        whmcs=d.whmcs,
                        base=d.base,
                        local_field=d.local_field,
                    )
                    for d in error.diffs
                ],
            )
        case domain.SyncInProgress():
            return SyncInProgressError(code=ErrorCode.SYNC_IN_PROGRESS, message=error.message)
        case domain.WhmcsUnusable():
            return WhmcsError(
                code=_WHMCS_CODES[error.kind],
                message=error.message,
                whmcs_message=error.whmcs_message,
                hint=error.hint,
                retryable=error.retryable,
                retry_after_seconds=error.retry_after_s,
            )
    raise TypeError(f"no GraphQL member for {type(error).__name__}")
