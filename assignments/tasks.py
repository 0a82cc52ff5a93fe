"""Celery tasks: thin wrappers around services, retried on transient database errors."""

import pghistory
from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=30, retry_kwargs={"max_retries": 5})
def assignment_statuses_refresh_task() -> dict:
    """Daily (beat): planned assignments whose start date came become active; those past their
    end date become ended."""
    with pghistory.context(channel="system", task="assignments.assignment_statuses_refresh_task"):
        return services.assignment_statuses_refresh()
