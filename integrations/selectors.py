from django.db.models import QuerySet

from accounts.actors import Actor
from outstaff.models import Tombstone

from .choices import TOMBSTONE_RESOURCES
from .models import WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list(*, actor: Actor) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organization_id=actor.organization.id)


def webhook_delivery_list(*, actor: Actor) -> QuerySet[WebhookDelivery]:
    return (
        WebhookDelivery.objects.filter(endpoint__organization_id=actor.organization.id)
        .select_related("event", "endpoint")
        .order_by("-created_at", "id")
    )


def tombstone_list(*, actor: Actor) -> QuerySet[Tombstone]:
    """Deletions the actor may see: rows its organization could see when they were deleted (the
    trigger recorded those organizations), of resource families its key or role may read. A
    hiring manager sees the whole client's deletions: tombstones carry ids only, no personal data."""
    readable = [resource for resource, (family, _) in TOMBSTONE_RESOURCES.items() if actor.can_read(family)]
    return Tombstone.objects.filter(
        organization_ids__contains=[actor.organization.id], resource_type__in=readable
    ).order_by("-deleted_at", "-id")
