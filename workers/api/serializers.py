from django.utils import timezone
from rest_framework import serializers

from accounts.models import Organization
from accounts.selectors import organization_list
from outstaff.api.fields import ScopedRelatedField
from providers.models import Provider
from providers.selectors import provider_list

from .. import selectors
from ..choices import ExitReason
from ..models import CheckIn, Worker


class WorkerSerializer(serializers.ModelSerializer):
    provider = ScopedRelatedField(
        model=Provider, scope=lambda actor: provider_list(actor=actor), required=False, allow_null=True
    )
    client = ScopedRelatedField(
        model=Organization, scope=lambda actor: organization_list(kind="client"), required=False, allow_null=True
    )
    full_name = serializers.CharField(read_only=True)
    # A provider change: the new record names the person's earlier record, and tenure keeps counting.
    continues_worker = ScopedRelatedField(
        model=Worker,
        scope=lambda actor: selectors.worker_list(actor=actor),
        required=False,
        allow_null=True,
        write_only=True,
        help_text="On create: the earlier record of the same person (e.g. with the previous provider).",
    )

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
            "subdivision",
            "timezone",
            "role_title",
            "status",
            "start_date",
            "exit_date",
            "exit_reason",
            "provider",
            "client",
            "person_id",
            "continues_worker",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "exit_date", "exit_reason", "person_id", "created_at", "updated_at"]


class WorkerOffboardSerializer(serializers.Serializer):
    exit_date = serializers.DateField()
    exit_reason = serializers.ChoiceField(choices=ExitReason.choices)
    exit_notes = serializers.CharField(required=False, allow_blank=True, default="")


class WorkerActivateSerializer(serializers.Serializer):
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Only for a client admin letting a worker through without a passed screening.",
    )


class CheckInSerializer(serializers.ModelSerializer):
    worker = ScopedRelatedField(model=Worker, scope=lambda actor: selectors.worker_list(actor=actor))
    engagement = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    role_clarity = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    manager_relationship = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "worker",
            "kind",
            "due_on",
            "done_on",
            "manager",
            "engagement",
            "role_clarity",
            "manager_relationship",
            "notes",
            "is_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["kind", "manager", "created_at", "updated_at"]

    def get_is_overdue(self, obj: CheckIn) -> bool:
        return obj.done_on is None and obj.due_on < timezone.localdate()

    def validate(self, attrs):
        # `worker` and `due_on` are fixed once a check-in exists; updating one means recording it.
        if self.instance is not None:
            attrs.pop("worker", None)
            attrs.pop("due_on", None)
        elif "due_on" not in attrs:
            raise serializers.ValidationError({"due_on": "Give the date the check-in is due."})
        return attrs
