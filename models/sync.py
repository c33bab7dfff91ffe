"""The sync map (which local record is which WHMCS record) and the audit log."""

import re
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.enums import EntityType, LogStatus, SyncDirection, SyncOperation, SyncStatus

# A local id is the local store's: the built-in table's integer, or an application's own id
# (a bigint unsigned, a UUID...). Kept as text; read back as an int when it is one, written the
# way str() spells it, so that an integer id and its text always meet (see LocalIdField).
LOCAL_ID_LENGTH = 191  # the longest text a MariaDB utf8mb4 index takes in full
_CANONICAL_INT = re.compile(r"^(0|-?[1-9][0-9]*)$")


def local_id_value(value: object) -> int | str:
    """The one Python form of a stored local id: int for canonical integer text, else str."""
    if isinstance(value, int):
        return value
    text = value.decode() if isinstance(value, bytes) else str(value)
    return int(text) if _CANONICAL_INT.match(text) else text


class LocalIdField(fields.CharField[Any]):
    """A local record's id, integer or text, in a VARCHAR column."""

    def __init__(self, max_length: int = LOCAL_ID_LENGTH, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, **kwargs)

    def to_db_value(self, value: Any, instance: Any) -> str | None:
        return None if value is None else str(value)

    def to_python_value(self, value: Any) -> Any:
        return None if value is None else local_id_value(value)


class SyncMap(Model):
    """One link between a local record and a WHMCS record.

    `whmcs_id` is null only while a create is in flight or its outcome is unknown (PENDING), or
    once a stale link gave its WHMCS id up to another local record (ERROR, see sync/links.py).
    `snapshot` holds the WHMCS fields as they were at the last sync: the base for conflict checks.
    `unconfirmed` holds what a write sent before its answer came (kept when the answer never does).
    `lease_token`/`lease_expires_at` are the claim an operation holds on the record; they live in
    the database so that every server process sees them.
    """

    id = fields.IntField(primary_key=True)
    entity_type = fields.CharEnumField(EntityType, max_length=20)
    local_id: int | str = LocalIdField()  # type: ignore[assignment]
    whmcs_id = fields.IntField(null=True)
    status = fields.CharEnumField(SyncStatus, max_length=10)
    last_synced_at = fields.DatetimeField(null=True)
    last_direction = fields.CharEnumField(SyncDirection, max_length=10, null=True)
    # Annotated: TextField is typed as str even when nullable (tortoise-orm 1.1).
    last_error: str | None = fields.TextField(null=True)
    snapshot: fields.Field[dict[str, str | None] | None] = fields.JSONField(null=True)
    # The fields a write sent whose answer never came (PENDING): WHMCS may hold them already.
    unconfirmed: fields.Field[dict[str, str | None] | None] = fields.JSONField(null=True)
    lease_token = fields.CharField(max_length=36, null=True)
    lease_expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sync_map"
        unique_together = (("entity_type", "local_id"), ("entity_type", "whmcs_id"))
        # stale_pending counts PENDING links by lease: an index range, never the table.
        indexes = (("status", "lease_expires_at"),)


class SyncLog(Model):
    """One audit entry: an operation, or one WHMCS call made by it (same correlation id)."""

    id = fields.BigIntField(primary_key=True)
    operation = fields.CharEnumField(SyncOperation, max_length=10)
    status = fields.CharEnumField(LogStatus, max_length=10)
    entity_type = fields.CharEnumField(EntityType, max_length=20, null=True)
    local_id: int | str | None = LocalIdField(null=True)  # type: ignore[assignment]
    whmcs_id = fields.IntField(null=True)
    whmcs_action = fields.CharField(max_length=64, null=True)
    request_data: fields.Field[object] = fields.JSONField(null=True)
    response_data: fields.Field[object] = fields.JSONField(null=True)
    error_message: str | None = fields.TextField(null=True)
    duration_ms = fields.IntField(null=True)
    actor = fields.CharField(max_length=100, null=True)
    correlation_id = fields.CharField(max_length=36, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "sync_logs"
        ordering = ("-id",)
        indexes = (
            ("entity_type", "local_id"),
            ("entity_type", "whmcs_id"),
            ("status", "created_at"),
            ("operation", "created_at"),
        )
