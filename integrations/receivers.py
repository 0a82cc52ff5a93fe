"""Receivers of lower apps' signals (registered in IntegrationsConfig.ready)."""

from . import events, services
from .tasks import webhook_dispatch_on_commit


def record_webhook_events(sender, worker_ids=(), source="", changes=(), **kwargs) -> None:
    """Inside the change's transaction: write the outbox rows, and deliver soon after the commit.
    A change that says what changed (ResourceChange) gets events carrying the resource; an older
    announcement of changed workers only gets the id-only event."""
    if changes:
        created = events.webhook_events_record_changes(changes=changes)
    else:
        created = services.webhook_events_record(worker_ids=worker_ids, source=source)
    if created:
        webhook_dispatch_on_commit()


def record_resource_events(sender, changes=(), **kwargs) -> None:
    if events.webhook_events_record_changes(changes=changes):
        webhook_dispatch_on_commit()
