"""API tokens: stored as a SHA-256 digest only; the token itself is shown once, at creation."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class TokenScope(StrEnum):
    READ = "read"  # queries only
    WRITE = "write"  # queries and mutations
    METRICS = "metrics"  # GET /metrics only: no GraphQL at all


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    digest = fields.CharField(max_length=64, unique=True)
    scope = fields.CharEnumField(TokenScope, max_length=10)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_tokens"
        ordering = ("name",)
