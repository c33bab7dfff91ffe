"""Expected failures: union members that implement `Error`."""

import strawberry

from graph.enums import EntityType, ErrorCode


@strawberry.interface(
    description=(
        "Every expected failure implements Error, so a client can always select "
        "`... on Error { code message }`."
    )
)
class Error:
    code: ErrorCode
    message: str


@strawberry.type
class NotFoundError(Error):
    entity_type: EntityType
    id: strawberry.ID
    side: str = strawberry.field(description="LOCAL or WHMCS: which side has no such record.")


@strawberry.type
class FieldError:
    field: str = strawberry.field(
        description=(
            "The local field, by its GraphQL name (camelCase, as in ClientInput: phoneNumber). "
            "A field WHMCS requires that the field mapping maps to no local field keeps "
            "WHMCS's name."
        )
    )
    message: str


@strawberry.type
class ValidationError(Error):
    fields: list[FieldError]


@strawberry.type(
    description=(
        "A link found stale, and marked ERROR with its reason (its syncStatus.lastError): its "
        "WHMCS client no longer exists, or now holds another person (another e-mail than at the "
        "last sync), as when a WHMCS restored from a backup or reset hands its ids out again."
    )
)
class StaleLink:
    local_id: strawberry.ID = strawberry.field(description="The local client of the stale link.")
    whmcs_id: strawberry.ID = strawberry.field(description="The WHMCS id it named.")
    reason: str
    released: bool = strawberry.field(
        description=(
            "True when it gave the WHMCS id up to the local client WHMCS really holds under it "
            "(then it names no WHMCS client any more); false when it still names it."
        )
    )
    entity_type: EntityType = strawberry.field(
        description="The kind of record localId and whmcsId name."
    )


@strawberry.type
class AlreadyLinkedError(Error):
    local_id: strawberry.ID | None
    whmcs_id: strawberry.ID | None
    requested_local_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "The local client this operation was for, when the link that still holds the WHMCS "
            "client (localId, whmcsId) is another local client's."
        ),
    )
    entity_type: EntityType = strawberry.field(
        description="The kind of record localId, whmcsId and requestedLocalId name."
    )


@strawberry.type
class NotLinkedError(Error):
    local_id: strawberry.ID
    entity_type: EntityType = strawberry.field(description="The kind of record localId names.")


@strawberry.type(
    description=(
        "The e-mail of the local client already belongs to a WHMCS client; whmcsId names it. "
        "Retry with linkExisting: true, or use linkClient."
    )
)
class DuplicateInWhmcsError(Error):
    whmcs_id: strawberry.ID
    stale_link: StaleLink | None = strawberry.field(
        default=None,
        description=(
            "Another local client's link to this WHMCS client, found stale (marked ERROR; "
            "linkExisting: true moves the link here)."
        ),
    )
    entity_type: EntityType = strawberry.field(description="The kind of record whmcsId names.")


@strawberry.type
class FieldDiff:
    field: str = strawberry.field(
        description="The WHMCS field, by WHMCS's name (phonenumber): what would be overwritten."
    )
    local: str | None = strawberry.field(description="The local value.")
    whmcs: str | None = strawberry.field(description="WHMCS's value now.")
    base: str | None = strawberry.field(
        default=None, description="The value both sides had at the last sync, when known."
    )
    local_field: str | None = strawberry.field(
        default=None,
        description="The local field it maps to, by its GraphQL name (phoneNumber).",
    )


@strawberry.type(
    description=(
        "The WHMCS record changed since the last sync on fields this operation would overwrite."
    )
)
class ConflictError(Error):
    diffs: list[FieldDiff]


@strawberry.type(description="Another operation on the same record is running; nothing was done.")
class SyncInProgressError(Error):
    entity_type: EntityType = strawberry.field(
        description="The kind of record the other operation holds."
    )


@strawberry.type(
    description=(
        "WHMCS could not be used. code is WHMCS_REJECTED, WHMCS_UNAVAILABLE, WHMCS_AUTH_FAILED "
        "or INTEGRATION_DISABLED."
    )
)
class WhmcsError(Error):
    whmcs_message: str | None = strawberry.field(
        description="WHMCS's own message, when it sent one."
    )
    hint: str | None = strawberry.field(
        description=(
            "What to do about it, in one sentence (the seed's troubleshooting section, as data)."
        )
    )
    retryable: bool
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="When retryable: how long to wait before trying again, if known."
    )
