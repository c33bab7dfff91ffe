"""Enums shared by the models and, through `strawberry.enum`, by the GraphQL schema."""

from enum import StrEnum


class EntityType(StrEnum):
    CLIENT = "CLIENT"
    SERVICE = "SERVICE"
    INVOICE = "INVOICE"
    ORDER = "ORDER"
    TICKET = "TICKET"
    DOMAIN = "DOMAIN"


class SyncStatus(StrEnum):
    SYNCED = "SYNCED"
    PENDING = "PENDING"
    ERROR = "ERROR"


class SyncDirection(StrEnum):
    PUSH = "PUSH"
    PULL = "PULL"


class SyncOperation(StrEnum):
    PUSH = "PUSH"
    PULL = "PULL"
    UPDATE = "UPDATE"
    LINK = "LINK"
    UNLINK = "UNLINK"
    LIST = "LIST"
    FETCH = "FETCH"
    TEST = "TEST"


class LogStatus(StrEnum):
    SUCCESS = "SUCCESS"
    ERROR = "ERROR"
