from rest_framework import serializers

from outstaff.models import Tombstone

from ..choices import TOMBSTONE_RESOURCES, EventType
from ..models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    """An endpoint as listed: never its secret. `secret` is filled only in the responses to create
    and `rotate-secret`, the times it is shown."""

    url = serializers.URLField(max_length=2000, help_text="http(s) URL; https is required in production.")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        required=False,
        default=list,
        help_text="Event types to receive; empty means every type.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["previous_secret_expires_at", "created_at", "updated_at"]

    def validate_url(self, url: str) -> str:
        if not url.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Give an http:// or https:// URL.")
        return url


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="`whsec_…` signing secret. Shown only in this response; store it now."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDeliveryAttempt
        fields = ["attempted_at", "status_code", "response_body", "error", "duration_ms"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.id", read_only=True)
    event_type = serializers.ChoiceField(source="event.type", choices=EventType.choices, read_only=True)
    payload = serializers.JSONField(source="event.payload", read_only=True)
    endpoint = serializers.UUIDField(source="endpoint_id", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    attempt_log = WebhookDeliveryAttemptSerializer(many=True, read_only=True)

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "attempt_log"]
        read_only_fields = fields


class TombstoneSerializer(serializers.ModelSerializer):
    """A deleted resource: what a syncing client needs to drop its copy."""

    id = serializers.UUIDField(source="object_id", read_only=True, help_text="The deleted resource's id.")
    resource_type = serializers.ChoiceField(
        choices=[(name, name) for name in TOMBSTONE_RESOURCES], read_only=True, help_text="The API resource."
    )

    class Meta:
        model = Tombstone
        fields = ["resource_type", "id", "external_id", "deleted_at"]
        read_only_fields = fields
