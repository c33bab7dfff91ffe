"""Tortoise models: data and small invariants only (no HTTP, no GraphQL)."""

from models.client import MAX_LENGTHS, Client
from models.counters import Counter
from models.enums import EntityType, LogStatus, SyncDirection, SyncOperation, SyncStatus
from models.onboarding import Category, JobKind, JobPhase, OnboardingJob, OnboardingRow, Side
from models.sync import SyncLog, SyncMap
from models.token import ApiToken, TokenScope

__all__ = [
    "MAX_LENGTHS",
    "ApiToken",
    "Category",
    "Client",
    "Counter",
    "EntityType",
    "JobKind",
    "JobPhase",
    "LogStatus",
    "OnboardingJob",
    "OnboardingRow",
    "Side",
    "SyncDirection",
    "SyncLog",
    "SyncMap",
    "SyncOperation",
    "SyncStatus",
    "TokenScope",
]
