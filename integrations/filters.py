import django_filters

from outstaff.filters import BaseFilterSet, IsoDateTimeFilter
from outstaff.models import Tombstone

from .choices import TOMBSTONE_RESOURCES, DeliveryStatus, EventType
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


class TombstoneFilterSet(django_filters.FilterSet):
    """`GET /api/v1/deletions/`: what was deleted since a sync, optionally of one resource type."""

    updated_since = IsoDateTimeFilter(field_name="deleted_at", lookup_expr="gte", label="Deleted since (ISO 8601)")
    resource_type = django_filters.ChoiceFilter(choices=[(name, name) for name in TOMBSTONE_RESOURCES])

    class Meta:
        model = Tombstone
        fields = ["updated_since", "resource_type"]
