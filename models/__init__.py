"""Tortoise models: data and small invariants only (no HTTP, no GraphQL)."""

from models.client import MAX_LENGTHS, Client
from models.enums import EntityType, LogStatus, SyncDirection, SyncOperation, SyncStatus
from models.sync import SyncLog, SyncMap

__all__ = [
    "MAX_LENGTHS",
    "Client",
    "EntityType",
    "LogStatus",
    "SyncDirection",
    "SyncLog",
    "SyncMap",
    "SyncOperation",
    "SyncStatus",
]
