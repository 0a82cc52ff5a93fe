"""Every webhook event and its payload in the OpenAPI schema (the `webhooks` section, one
component schema per event: `WorkerChangedEvent`, `PayrollEntryDeletedEvent`, …), built from the
same resource serializers the events are rendered with (integrations.events)."""

from drf_spectacular.utils import OpenApiWebhook, extend_schema
from rest_framework import serializers

from ..choices import TOMBSTONE_RESOURCES, EventType
from ..events import EVENT_RESOURCES

CHANGE_KINDS = ["created", "updated", "deleted"]

# The lifecycle events a resource sends besides `<resource>.changed`.
LIFECYCLE_EVENTS = {
    "workers.Worker": [EventType.WORKER_ACTIVATED, EventType.WORKER_OFFBOARDED],
    "screening.Screening": [EventType.SCREENING_DECIDED],
    "risks.RiskFlag": [
        EventType.RISK_FLAG_OPENED,
        EventType.RISK_FLAG_ESCALATED,
        EventType.RISK_FLAG_RESOLVED,
        EventType.RISK_FLAG_DISMISSED,
    ],
}


def _camel(event_type: str) -> str:
    return "".join(part.capitalize() for part in event_type.replace(".", "_").split("_"))


class DeletedObjectSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The deleted resource's id.")
    external_id = serializers.CharField(help_text="Its external_id when it had one, else empty.")
    deleted_at = serializers.DateTimeField()


def _event_serializer(event_type: str, resource_type: str, object_field: serializers.Field, doc: str):
    event_type = str(event_type)
    name = _camel(event_type)
    data = type(
        f"{name}EventDataSerializer",
        (serializers.Serializer,),
        {
            "resource_type": serializers.ChoiceField(choices=[resource_type]),
            "id": serializers.UUIDField(help_text="The resource's id."),
            "change": serializers.ChoiceField(choices=CHANGE_KINDS),
            "changed_fields": serializers.ListField(
                child=serializers.CharField(), help_text="Names of the fields that changed (empty on create/delete)."
            ),
            "occurred_at": serializers.DateTimeField(),
            "object": object_field,
        },
    )
    return type(
        f"{name}EventSerializer",
        (serializers.Serializer,),
        {
            "__doc__": doc,
            "type": serializers.ChoiceField(choices=[event_type]),
            "timestamp": serializers.DateTimeField(help_text="When the event was written (= occurred_at)."),
            "data": data(),
        },
    )


def _webhook(event_type: str, serializer) -> OpenApiWebhook:
    event_type = str(event_type)
    return OpenApiWebhook(
        name=event_type,
        decorator=extend_schema(
            summary=str(EventType(event_type).label),
            description=(serializer.__doc__ or "")
            + " Signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).",
            request=serializer,
            responses={200: None},
        ),
    )


def _build() -> list[OpenApiWebhook]:
    webhooks = []
    for source, resource in EVENT_RESOURCES.items():
        serializer_class = resource.viewset.serializer_class
        for event_type in [resource.changed_event, *LIFECYCLE_EVENTS.get(source, [])]:
            if not event_type:
                continue
            doc = (
                f"`{event_type}`: `data.object` is the {resource.resource_type} resource as the receiving "
                f"organization's own API shows it (GET /api/v1/{resource.resource_type}/<id>/; a provider's "
                "view leaves out what providers may not see)."
            )
            webhooks.append(
                _webhook(event_type, _event_serializer(event_type, resource.resource_type, serializer_class(), doc))
            )
    for resource_type, (_, event_type) in TOMBSTONE_RESOURCES.items():
        doc = (
            f"`{event_type}`: a {resource_type} resource was deleted (by any path); `data.object` is its "
            "tombstone, as GET /api/v1/deletions/ lists it."
        )
        webhooks.append(
            _webhook(event_type, _event_serializer(event_type, resource_type, DeletedObjectSerializer(), doc))
        )
    return webhooks


WEBHOOKS = _build()


def webhooks_for_oas_version(result, generator, request, public):
    """Postprocessing hook: OpenAPI 3.0 has no `webhooks` section (3.1 does), so under 3.0 the same
    definitions go to `x-webhooks`, the extension ReDoc (/api/redoc/) renders; the event component
    schemas are in `components` either way."""
    if str(result.get("openapi", "")).startswith("3.0") and "webhooks" in result:
        result["x-webhooks"] = result.pop("webhooks")
    return result
