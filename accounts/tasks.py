"""Celery tasks: thin wrappers that call a service."""

from celery import shared_task

from .retention import login_failures_purge


@shared_task(name="accounts.tasks.login_failures_purge_task", ignore_result=True)
def login_failures_purge_task() -> int:
    """Daily (beat): drop failed-login rows past their retention."""
    return login_failures_purge()
