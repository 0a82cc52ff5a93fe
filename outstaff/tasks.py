"""Celery tasks of the plumbing: purges of what would otherwise grow forever."""

from celery import shared_task

from .retention import idempotency_records_purge


@shared_task(name="outstaff.tasks.idempotency_records_purge_task", ignore_result=True)
def idempotency_records_purge_task() -> int:
    """Daily (beat): drop stored idempotent responses past their retention."""
    return idempotency_records_purge()
