from django.utils import timezone
from rest_framework import serializers

from accounts.models import User
from outstaff.api.fields import ScopedRelatedField
from workers.models import Worker

from ..models import Assignment, Team
from ..selectors import active_on_q, assignable_worker_list, client_member_list, team_list


class TeamSerializer(serializers.ModelSerializer):
    managers = ScopedRelatedField(
        model=User, scope=lambda actor: client_member_list(actor=actor), many=True, required=False
    )
    active_assignments_count = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "external_id", "name", "managers", "active_assignments_count", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness is checked by the service (with a clearer message) and the database.
        validators: list = []

    def get_active_assignments_count(self, team) -> int:
        count = getattr(team, "active_assignments_count", None)
        if count is None:  # a team just written by a service carries no list annotation
            count = team.assignments.filter(active_on_q(timezone.localdate())).count()
        return count


class AssignmentSerializer(serializers.ModelSerializer):
    """What the client sees and writes. Related ids are looked up only among the client's rows:
    its workers, its teams (a hiring manager: the teams they manage), its members."""

    worker = ScopedRelatedField(model=Worker, scope=lambda actor: assignable_worker_list(actor=actor))
    worker_name = serializers.CharField(source="worker.full_name", read_only=True)
    team = ScopedRelatedField(model=Team, scope=lambda actor: team_list(actor=actor))
    manager = ScopedRelatedField(
        model=User, scope=lambda actor: client_member_list(actor=actor), required=False, allow_null=True
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "external_id",
            "client",
            "worker",
            "worker_name",
            "team",
            "manager",
            "role",
            "starts_on",
            "ends_on",
            "weekly_hours",
            "directed_by",
            "schedule_set_by_client",
            "equipment_provided_by_client",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["client", "status", "created_at", "updated_at"]
        validators: list = []

    # get_fields changes a field only for a single instance: a list's fields are the same for every
    # request, so the API's lean list path may compile them once (outstaff.api.lean).
    list_fields_static = True

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)):
            # An existing assignment keeps its worker; it is shown but never looked up again.
            fields["worker"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields


class ProviderAssignmentSerializer(serializers.ModelSerializer):
    """The facts a provider needs for compliance about the workers it employs (DESIGN §9): who
    directs them, for whom, when, how many hours, on whose schedule. Read-only."""

    client_name = serializers.CharField(source="client.name", read_only=True)
    worker_name = serializers.CharField(source="worker.full_name", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "client",
            "client_name",
            "worker",
            "worker_name",
            "role",
            "starts_on",
            "ends_on",
            "weekly_hours",
            "directed_by",
            "schedule_set_by_client",
            "equipment_provided_by_client",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AssignmentEndSerializer(serializers.Serializer):
    ends_on = serializers.DateField(required=False, allow_null=True, help_text="Last day worked; default today.")


# A provider reads assignments through ProviderAssignmentSerializer: the schema documents both shapes.
AssignmentSerializer.provider_view = ProviderAssignmentSerializer
