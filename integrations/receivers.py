"""Receivers of lower apps' signals (registered in IntegrationsConfig.ready)."""

from . import services
from .tasks import webhook_dispatch_on_commit


def record_webhook_events(sender, worker_ids=(), source="", **kwargs) -> None:
    """Inside the change's transaction: write the outbox rows, and deliver soon after the commit."""
    if services.webhook_events_record(worker_ids=worker_ids, source=source):
        webhook_dispatch_on_commit()
