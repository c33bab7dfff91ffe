"""GraphQL enums. Model enums are exposed as they are; the rest exist only in the API."""

from enum import Enum

import strawberry

from models import EntityType, LogStatus, SyncDirection, SyncOperation, SyncStatus

__all__ = [
    "ConnectionFailure",
    "EntityType",
    "ErrorCode",
    "LogStatus",
    "PullOperation",
    "PushOperation",
    "SyncDirection",
    "SyncOperation",
    "SyncStatus",
]

# The model enums, exposed as they are (strawberry.enum marks the class in place).
strawberry.enum(EntityType)
strawberry.enum(SyncStatus)
strawberry.enum(SyncDirection)
strawberry.enum(SyncOperation, description="Operations recorded in the audit log.")
strawberry.enum(LogStatus)


@strawberry.enum
class ErrorCode(Enum):
    NOT_FOUND = "NOT_FOUND"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    ALREADY_LINKED = "ALREADY_LINKED"
    NOT_LINKED = "NOT_LINKED"
    DUPLICATE_IN_WHMCS = "DUPLICATE_IN_WHMCS"
    CONFLICT = "CONFLICT"
    SYNC_IN_PROGRESS = "SYNC_IN_PROGRESS"
    WHMCS_REJECTED = strawberry.enum_value(
        "WHMCS_REJECTED",
        description="WHMCS answered result=error for a business reason (the message says which).",
    )
    WHMCS_UNAVAILABLE = strawberry.enum_value(
        "WHMCS_UNAVAILABLE",
        description="Timeout, connection failure, HTTP 5xx, a non-JSON page, maintenance.",
    )
    WHMCS_AUTH_FAILED = strawberry.enum_value(
        "WHMCS_AUTH_FAILED", description="Authentication Failed, Invalid IP, Invalid Permissions."
    )
    INTEGRATION_DISABLED = strawberry.enum_value(
        "INTEGRATION_DISABLED", description="WHMCS_ENABLED is false."
    )


@strawberry.enum
class ConnectionFailure(Enum):
    NOT_CONFIGURED = "NOT_CONFIGURED"
    DISABLED = "DISABLED"
    INVALID_IP = "INVALID_IP"
    AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    TIMEOUT = "TIMEOUT"
    UNREACHABLE = "UNREACHABLE"
    NOT_WHMCS = "NOT_WHMCS"
    SERVER_ERROR = "SERVER_ERROR"
    UNSUPPORTED_VERSION = strawberry.enum_value(
        "UNSUPPORTED_VERSION",
        description="WHMCS answered, but does not know WhmcsDetails: it is older than 8.0.",
    )
    REJECTED = strawberry.enum_value(
        "REJECTED",
        description=(
            "WHMCS answered WhmcsDetails with result=error for a reason of its own "
            "(the message quotes it)."
        ),
    )


@strawberry.enum
class PushOperation(Enum):
    CREATED = strawberry.enum_value(
        "CREATED", description="A new WHMCS client was created and linked."
    )
    LINKED = strawberry.enum_value(
        "LINKED",
        description=(
            "An existing WHMCS client with the same e-mail was linked (linkExisting: true)."
        ),
    )


@strawberry.enum
class PullOperation(Enum):
    CREATED = strawberry.enum_value(
        "CREATED", description="A new local client was created and linked."
    )
    UPDATED = strawberry.enum_value(
        "UPDATED",
        description="An existing local client was overwritten with the WHMCS data and is linked.",
    )
