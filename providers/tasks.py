"""Celery tasks: ids in, a service call, retries on transient database errors."""

import contextlib

import pghistory
from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.utils import timezone

from . import csv_import, retention, services
from .models import ComplianceItem

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 30, "retry_kwargs": {"max_retries": 5}}


@shared_task(**RETRY)
def compliance_daily_task() -> dict:
    """Daily (beat): turn past-expiry items into `expired`, then send each provider with items
    expiring within 30 days (or expired) a digest."""
    today = timezone.localdate()
    with pghistory.context(channel="system", task="providers.compliance_daily_task"):
        expired = services.compliance_items_expire(today=today)
    provider_ids = ComplianceItem.objects.values_list("provider_id", flat=True).distinct().order_by()
    sent = sum(
        1 for provider_id in provider_ids if services.compliance_digest_send(provider_id=provider_id, today=today)
    )
    return {"expired": expired, "digests": sent}


@shared_task(**RETRY)
def csv_import_check_task(import_id: str) -> None:
    csv_import.csv_import_check(import_id=import_id)


@shared_task(**RETRY)
def csv_import_apply_task(import_id: str, user_id: str | None, good_rows_only: bool) -> None:
    actor = csv_import.actor_for_import(import_id=import_id, user_id=user_id)
    # A ValidationError means rows went bad since the dry run; the fresh report saved with the
    # import tells the provider what is wrong, so there is nothing to retry.
    try:
        with contextlib.suppress(ValidationError):
            csv_import.csv_import_apply(actor=actor, import_id=import_id, good_rows_only=good_rows_only)
    except OperationalError:
        raise  # retried; the import stays "applying" meanwhile
    except Exception:
        # Anything else would leave the page polling an import that is never applied.
        csv_import.csv_import_mark_failed(import_id=import_id)
        raise


@shared_task(**RETRY)
def csv_imports_resume_task() -> int:
    """Beat, every minute: enqueue again background CSV checks and applies whose task was lost."""
    return csv_import.csv_imports_resume(check_task=csv_import_check_task, apply_task=csv_import_apply_task)


@shared_task(name="providers.tasks.csv_imports_purge_task", ignore_result=True)
def csv_imports_purge_task() -> int:
    """Daily (beat): uploaded CSV files and their reports go after 30 days (providers.retention)."""
    return retention.csv_imports_purge()
