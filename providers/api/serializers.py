from rest_framework import serializers

from outstaff.api.fields import ScopedRelatedField

from ..choices import ComplianceKind
from ..compliance_requirements import required_kinds, staffing_licence_required
from ..models import ComplianceItem, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider
from ..selectors import employed_worker_list, legal_entity_list, payroll_run_list, worker_model


def _worker_field(**kwargs):
    return ScopedRelatedField(model=worker_model(), scope=lambda actor: employed_worker_list(actor=actor), **kwargs)


class ProviderSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="organization_id", read_only=True)

    class Meta:
        model = Provider
        fields = ["id", "legal_name", "website", "headquarters_country", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class LegalEntitySerializer(serializers.ModelSerializer):
    provider = serializers.UUIDField(source="provider_id", read_only=True)
    staffing_licence_required = serializers.SerializerMethodField()

    class Meta:
        model = LegalEntity
        fields = [
            "id",
            "provider",
            "country",
            "name",
            "registration_number",
            "staffing_licence_required",
            "staffing_licence_number",
            "staffing_licence_expires_on",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness is checked by the service / database (a 400 either way), not by a query here.
        validators = []

    def get_staffing_licence_required(self, entity) -> bool:
        return staffing_licence_required(entity.country)


class ContractSerializer(serializers.ModelSerializer):
    provider = serializers.UUIDField(source="provider_id", read_only=True)
    worker = _worker_field()
    legal_entity = ScopedRelatedField(model=LegalEntity, scope=lambda actor: legal_entity_list(actor=actor))

    class Meta:
        model = EmploymentContract
        fields = [
            "id",
            "external_id",
            "provider",
            "worker",
            "legal_entity",
            "contract_type",
            "engagement_model",
            "signed_on",
            "starts_on",
            "ends_on",
            "weekly_hours",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Record reality (DESIGN §6): a contract whose engagement model is not stated is stored as
        # `unspecified` (the default), and the risk scan flags it.
        validators = []


class PayrollRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayrollRun
        fields = [
            "id",
            "external_id",
            "country",
            "period_start",
            "period_end",
            "pay_date",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]
        extra_kwargs = {"pay_date": {"required": False}}
        validators = []


class PayrollRunUpdateSerializer(PayrollRunSerializer):
    """Country and period make the run; only the pay date and external id change afterwards."""

    class Meta(PayrollRunSerializer.Meta):
        read_only_fields = ["country", "period_start", "period_end", "status", "created_at", "updated_at"]


class PayrollEntrySerializer(serializers.ModelSerializer):
    run = ScopedRelatedField(model=PayrollRun, scope=lambda actor: payroll_run_list(actor=actor))
    worker = _worker_field()
    country = serializers.CharField(source="run.country", read_only=True)
    period_start = serializers.DateField(source="run.period_start", read_only=True)
    period_end = serializers.DateField(source="run.period_end", read_only=True)
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="Why the status moves backwards (required then)."
    )

    class Meta:
        model = PayrollEntry
        fields = [
            "id",
            "external_id",
            "run",
            "worker",
            "country",
            "period_start",
            "period_end",
            "status",
            "failure_reason",
            "status_reason",
            "reason",
            "paid_at",
            "gross_amount",
            "currency",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status_reason", "created_at", "updated_at"]
        validators = []


class PayrollEntryUpdateSerializer(PayrollEntrySerializer):
    run = serializers.UUIDField(source="run_id", read_only=True)
    worker = serializers.UUIDField(source="worker_id", read_only=True)


class ComplianceItemSerializer(serializers.ModelSerializer):
    worker = _worker_field()
    verified_by = serializers.UUIDField(source="verified_by_id", read_only=True)
    required = serializers.SerializerMethodField(help_text="Whether the worker's country requires this kind.")

    class Meta:
        model = ComplianceItem
        fields = [
            "id",
            "external_id",
            "worker",
            "kind",
            "required",
            "status",
            "expires_on",
            "evidence_reference",
            "notes",
            "verified_by",
            "verified_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["verified_at", "created_at", "updated_at"]
        validators = []

    def get_required(self, item) -> bool:
        return item.kind in required_kinds(item.worker.country)


class ComplianceItemUpdateSerializer(ComplianceItemSerializer):
    worker = serializers.UUIDField(source="worker_id", read_only=True)
    kind = serializers.ChoiceField(choices=ComplianceKind.choices, read_only=True)
