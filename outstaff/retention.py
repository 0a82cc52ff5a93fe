"""Retention of the API's stored idempotent responses (issue 10, point 5).

Plumbing only: imports no domain app."""

import datetime as dt

from django.utils import timezone

from .models import IdempotencyRecord

# A client retrying a POST with the same Idempotency-Key within a week gets the stored response;
# after that the record is purged and the key may be used again. Retries come within minutes or,
# after an outage, hours; a week is far beyond any sane retry policy (Stripe keeps 24 hours).
IDEMPOTENCY_RETENTION = dt.timedelta(days=7)


def idempotency_records_purge(*, older_than: dt.timedelta = IDEMPOTENCY_RETENTION) -> int:
    """Delete stored idempotent responses older than `older_than`; returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
