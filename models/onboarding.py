"""Onboarding jobs (reconcile, import, push in bulk) and their staging rows.

A job walks every WHMCS client and every local client into `onboarding_rows` (one row per
record, never all in memory), sorts them there with SQL (ordered, keyset-paged reads; updates
by category), and records its progress as it goes, so an interrupted run resumes where it
stopped. `active` is "onboarding" while a job is unfinished and
null once it is: a unique column, so at most one unfinished job exists; its lease
(`lease_token`, `lease_expires_at`) says whether a process is working on it right now.
"""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class JobKind(StrEnum):
    RECONCILE = "RECONCILE"
    IMPORT = "IMPORT"
    PUSH = "PUSH"


class JobPhase(StrEnum):
    WHMCS = "WHMCS"  # reading WHMCS's clients, page by page (and the local ones meanwhile)
    LOCAL = "LOCAL"  # WHMCS is read; reading the rest of the local clients, by id
    SORT = "SORT"  # sorting the staged rows into categories
    ACT = "ACT"  # --apply: linking, importing or pushing, record by record
    DONE = "DONE"


class Category(StrEnum):
    LINKED = "linked"
    WOULD_LINK = "would_link"
    CONFLICT = "conflict"
    LOCAL_ONLY = "local_only"
    WHMCS_ONLY = "whmcs_only"
    AMBIGUOUS = "ambiguous"


class Side(StrEnum):
    WHMCS = "W"
    LOCAL = "L"


class OnboardingJob(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(JobKind, max_length=10)
    applying = fields.BooleanField(default=False)  # --apply: act on what the sort found
    phase = fields.CharEnumField(JobPhase, max_length=10, default=JobPhase.WHMCS)
    active = fields.CharField(max_length=12, null=True, unique=True)
    whmcs_total = fields.IntField(null=True)
    whmcs_next_offset = fields.IntField(default=0)  # every page below it is staged
    whmcs_done = fields.IntField(default=0)
    local_cursor = fields.CharField(max_length=64, null=True)  # last local id staged
    local_done = fields.IntField(default=0)
    local_complete = fields.BooleanField(default=False)  # every local client is staged
    sort_cursor = fields.CharField(max_length=300, null=True)
    act_total = fields.IntField(null=True)  # records to act on, counted when acting starts
    act_done = fields.IntField(default=0)
    act_failed = fields.IntField(default=0)
    summary: fields.Field[dict[str, int] | None] = fields.JSONField(null=True)
    last_error: str | None = fields.TextField(null=True)
    runs = fields.IntField(default=0)  # how many times it was started or resumed
    actor = fields.CharField(max_length=100, null=True)
    lease_token = fields.CharField(max_length=36, null=True)
    lease_expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "onboarding_jobs"


class OnboardingRow(Model):
    """One WHMCS or local client of a job. `link_id` is the other side's id its sync-map link
    names (if any); `category` is set by the sort; `outcome` by --apply. A pair (would link,
    conflict) is the WHMCS row and the local row of one `email_key`; a linked row's peer is its
    `link_id`."""

    id = fields.BigIntField(primary_key=True)
    job: fields.ForeignKeyRelation[OnboardingJob] = fields.ForeignKeyField(
        "models.OnboardingJob", related_name="rows", on_delete=fields.CASCADE
    )
    side = fields.CharEnumField(Side, max_length=1)
    record_id = fields.CharField(max_length=64)
    email_key = fields.CharField(max_length=254)
    data: fields.Field[dict[str, str | None]] = fields.JSONField()
    link_id = fields.CharField(max_length=64, null=True)
    category = fields.CharEnumField(Category, max_length=12, null=True)
    note: str | None = fields.TextField(null=True)
    outcome = fields.CharField(max_length=20, null=True)
    outcome_detail: str | None = fields.TextField(null=True)

    class Meta:
        table = "onboarding_rows"
        unique_together = (("job_id", "side", "record_id"),)
        indexes = (("job_id", "email_key"), ("job_id", "category"))
