"""Tortoise models: data and small invariants only (no HTTP, no GraphQL)."""

from models.client import MAX_LENGTHS, Client
from models.counters import Counter
from models.enums import EntityType, LogStatus, SyncDirection, SyncOperation, SyncStatus
from models.sync import SyncLog, SyncMap
from models.token import ApiToken, TokenScope

__all__ = [
    "MAX_LENGTHS",
    "ApiToken",
    "Client",
    "Counter",
    "EntityType",
    "LogStatus",
    "SyncDirection",
    "SyncLog",
    "SyncMap",
    "SyncOperation",
    "SyncStatus",
    "TokenScope",
]
