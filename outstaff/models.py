"""Abstract base models shared by every domain app."""

import uuid

from django.db import models


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
