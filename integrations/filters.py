import django_filters

from outstaff.filters import BaseFilterSet

from .choices import DeliveryStatus, EventType
from .models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointFilterSet(BaseFilterSet):
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = WebhookEndpoint
        fields = ["is_active"]


class WebhookDeliveryFilterSet(BaseFilterSet):
    """Shared by the integrations page and `GET /api/v1/webhook-deliveries/`."""

    endpoint = django_filters.UUIDFilter(field_name="endpoint_id")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.ChoiceFilter(field_name="event__type", choices=EventType.choices)

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status", "event_type"]
