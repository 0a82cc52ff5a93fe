from rest_framework import serializers

from outstaff.models import reads

from ..models import RiskFlag
from ..rules import RULES


class RiskFlagSerializer(serializers.ModelSerializer):
    """A flag with its evidence: `evidence.summary` in plain words, `evidence.facts` that fired the
    rule (hashed: a dismissed flag reopens when they change), `evidence.observed` numbers as they
    were when the flag opened or its facts last changed (not rewritten as days pass),
    `evidence.sources` (legal or research), `evidence.jurisdiction` (pack code and version)."""

    rule_code = serializers.ChoiceField(
        choices=sorted((code, rule.title) for code, rule in RULES.items()), read_only=True
    )
    worker_name = serializers.CharField(source="worker.full_name", read_only=True)
    client_name = serializers.CharField(source="client.name", read_only=True)
    provider_name = serializers.CharField(source="provider.legal_name", read_only=True)
    status_changed_by = serializers.SerializerMethodField()
    last_seen_at = serializers.DateTimeField(
        source="last_sighting", read_only=True, help_text="When a risk scan last saw the condition."
    )

    class Meta:
        model = RiskFlag
        fields = [
            "id",
            "rule_code",
            "category",
            "severity",
            "status",
            "status_reason",
            "status_changed_by",
            "status_changed_via",
            "status_changed_at",
            "worker",
            "worker_name",
            "assignment",
            "client",
            "client_name",
            "provider",
            "provider_name",
            "evidence",
            "evidence_hash",
            "first_seen_at",
            "last_seen_at",
            "escalated_at",
            "resolved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @reads("status_changed_by__first_name", "status_changed_by__last_name", "status_changed_by__email")
    def get_status_changed_by(self, flag) -> str | None:
        user = flag.status_changed_by
        return (user.get_full_name() or user.email) if user else None


class RiskFlagNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RiskFlagReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RiskFlagDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why this flag is not a risk (required).")


RETENTION_GROUPS = ["client", "team", "provider", "country", "role"]


class RetentionQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=RETENTION_GROUPS, required=False, default="client")
    months = serializers.IntegerField(
        required=False, default=12, min_value=1, max_value=36, help_text="Start-month cohorts to include."
    )


class RetentionCohortSerializer(serializers.Serializer):
    cohort = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="Start month, YYYY-MM.")
    group = serializers.CharField(allow_null=True, help_text="Id or value of the group (null in `overall`).")
    label = serializers.CharField()
    starters = serializers.IntegerField()
    reached_day_90 = serializers.IntegerField(help_text="Starters whose day 90 has passed.")
    retained = serializers.IntegerField(help_text="Starters still employed on day 90.")
    early_leavers = serializers.IntegerField(help_text="Starters who left before day 90.")
    complete = serializers.BooleanField(help_text="Every starter has reached day 90.")
    retention_rate = serializers.FloatField(allow_null=True, help_text="retained / starters; null while incomplete.")
    exit_reasons = serializers.DictField(child=serializers.IntegerField(), help_text="Early leavers by exit reason.")


class RetentionReportSerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=RETENTION_GROUPS)
    as_of = serializers.DateField()
    retention_day = serializers.IntegerField()
    overall = RetentionCohortSerializer(many=True, help_text="All groups together, one row per month.")
    cohorts = RetentionCohortSerializer(many=True, help_text="One row per month and group with starters.")
