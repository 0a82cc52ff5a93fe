"""Abstract base models shared by every domain app."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Now


def reads(*columns: str):
    """Declare the columns a model property (or a serializer method) reads: lookups relative to its
    model ("first_name", "client_id", "status_changed_by__email") or the name of an annotation its
    list query may carry. The API's lean list path (`outstaff.api.lean`) then computes it from a row
    holding just those columns, by running the property itself on a partial instance; reading
    anything undeclared there makes that request take the instance path instead."""

    def mark(function):
        function.lean_reads = columns
        return function

    return mark


class BaseModel(models.Model):
    """UUID primary key (exposed ids are never sequential) and the timestamps that drive
    `updated_since` incremental sync and ETags."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ("-created_at", "id")


class IdempotencyRecord(models.Model):
    """The stored response of a POST sent with an `Idempotency-Key`, replayed on a retry."""

    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    path = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="outstaff_idempotency_unique_key")]


class Tombstone(models.Model):
    """What is left of a synced row after it is deleted, by any path (API, admin, cascade, erasure,
    raw SQL): a database trigger on each synced table writes it in the deleting transaction, so a
    syncing client can learn with `updated_since` that the row is gone (DESIGN §8).

    No personal data: the resource type, its id and the HR system's `external_id` only.
    `organization_ids` are the organizations that could see the row when it was deleted (e.g. a
    worker's client and provider); only they see the tombstone."""

    id = models.BigAutoField(primary_key=True)
    resource_type = models.CharField(max_length=40, help_text="The API resource, e.g. `workers`, `contracts`.")
    object_id = models.UUIDField(help_text="The deleted resource's id.")
    external_id = models.CharField(max_length=128, blank=True, default="")
    organization_ids = ArrayField(models.UUIDField(), default=list)
    deleted_at = models.DateTimeField(db_default=Now(), db_index=True)

    class Meta:
        ordering = ("-deleted_at", "-id")
        indexes = [
            GinIndex(fields=["organization_ids"], name="outstaff_tombstone_orgs_gin"),
            models.Index(fields=["resource_type", "deleted_at"], name="outstaff_tombstone_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.object_id} deleted {self.deleted_at:%Y-%m-%d %H:%M:%S}"
