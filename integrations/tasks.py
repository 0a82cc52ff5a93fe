import logging

from celery import shared_task
from django.db import transaction

from . import services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def webhook_deliveries_dispatch_task() -> int:
    """Deliver due webhooks (every minute from beat, and right after a change commits)."""
    return services.webhook_deliveries_dispatch()


@shared_task(ignore_result=True)
def webhook_events_purge_task() -> int:
    """Daily: drop settled events older than the retention period."""
    return services.webhook_events_purge()


def _enqueue_dispatch() -> None:
    try:
        webhook_deliveries_dispatch_task.delay()
    except Exception:  # the broker is down: the outbox keeps the rows and the beat task catches up
        logger.exception("Could not enqueue the webhook dispatch; the periodic dispatch will deliver")


def webhook_dispatch_on_commit() -> None:
    """Deliver soon after the current transaction commits, without ever failing the change. Several
    changes in one transaction enqueue one dispatch, not one each."""
    connection = transaction.get_connection()
    if any(callback[1] is _enqueue_dispatch for callback in getattr(connection, "run_on_commit", ())):
        return
    transaction.on_commit(_enqueue_dispatch)
