from django.db.models import QuerySet

from accounts.actors import Actor

from .models import WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list(*, actor: Actor) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organization_id=actor.organization.id)


def webhook_delivery_list(*, actor: Actor) -> QuerySet[WebhookDelivery]:
    return (
        WebhookDelivery.objects.filter(endpoint__organization_id=actor.organization.id)
        .select_related("event", "endpoint")
        .order_by("-created_at", "id")
    )
