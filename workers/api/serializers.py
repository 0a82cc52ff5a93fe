from rest_framework import serializers

from accounts.models import Organization
from accounts.selectors import organization_list
from outstaff.api.fields import ScopedRelatedField
from providers.models import Provider
from providers.selectors import provider_list

from ..models import Worker


class WorkerSerializer(serializers.ModelSerializer):
    provider = ScopedRelatedField(
        model=Provider, scope=lambda actor: provider_list(actor=actor), required=False, allow_null=True
    )
    client = ScopedRelatedField(
        model=Organization, scope=lambda actor: organization_list(kind="client"), required=False, allow_null=True
    )
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Worker
        fields = [
            "id",
            "external_id",
            "first_name",
            "last_name",
            "full_name",
            "work_email",
            "country",
            "timezone",
            "role_title",
            "status",
            "start_date",
            "exit_date",
            "exit_reason",
            "provider",
            "client",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "exit_date", "exit_reason", "created_at", "updated_at"]
