"""Receivers of lower apps' signals (registered in IntegrationsConfig.ready)."""

from . import events
from .tasks import webhook_dispatch_on_commit


def record_webhook_events(sender, worker_ids=(), source="", changes=(), **kwargs) -> None:
    """Inside the change's transaction: write the outbox rows (events carrying the resource, from
    the ResourceChanges the announcement holds), and deliver soon after the commit."""
    if events.webhook_events_record_changes(changes=changes):
        webhook_dispatch_on_commit()


def record_resource_events(sender, changes=(), **kwargs) -> None:
    if events.webhook_events_record_changes(changes=changes):
        webhook_dispatch_on_commit()
