"""Admin for support staff. Every add and change form of a synced resource writes through the
same service as the API, bulk and CSV (`outstaff.service_admin`), acting for the owning provider:
the same validation, audit (channel "admin"), events and rescans."""

from django import forms
from django.contrib import admin
from django.db import models

from accounts.actors import Actor
from outstaff.service_admin import ReadOnlyInline, ServiceModelAdmin

from . import services
from .models import ComplianceItem, CsvImport, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider
from .services.compliance import COMPLIANCE_FIELDS
from .services.contracts import CONTRACT_FIELDS
from .services.legal_entities import ENTITY_FIELDS
from .services.profile import PROVIDER_FIELDS


class ForProvider(ServiceModelAdmin):
    """Staff act for the provider that owns the row (on an add: the provider the form names)."""

    def owner(self, obj=None, data=None):
        if obj is not None:
            return obj.provider
        return data["provider"]

    def service_actor(self, request, obj, data):
        return Actor(organization=self.owner(obj, data).organization, user=request.user)


class LegalEntityInline(ReadOnlyInline, admin.TabularInline):
    model = LegalEntity
    fields = ["country", "name", "registration_number", "staffing_licence_number", "staffing_licence_expires_on"]


@admin.register(Provider)
class ProviderAdmin(ServiceModelAdmin):
    """A provider profile comes with its organization; its change form writes through provider_update."""

    update_service = staticmethod(services.provider_update)
    update_fields = PROVIDER_FIELDS
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def service_actor(self, request, obj, data):
        return Actor(organization=obj.organization, user=request.user)

    list_display = ["legal_name", "organization", "headquarters_country", "updated_at"]
    search_fields = ["legal_name", "organization__name"]
    raw_id_fields = ["organization"]
    inlines = [LegalEntityInline]


@admin.register(LegalEntity)
class LegalEntityAdmin(ForProvider):
    create_service = staticmethod(services.legal_entity_create)
    update_service = staticmethod(services.legal_entity_update)
    create_fields = ("provider", *ENTITY_FIELDS)
    update_fields = ENTITY_FIELDS
    actor_fields = ("provider",)
    list_display = ["name", "provider", "country", "registration_number", "staffing_licence_expires_on", "is_active"]
    list_filter = ["country", "is_active"]
    search_fields = ["name", "registration_number", "provider__legal_name"]
    raw_id_fields = ["provider"]


@admin.register(EmploymentContract)
class EmploymentContractAdmin(ForProvider):
    create_service = staticmethod(services.contract_create)
    update_service = staticmethod(services.contract_update)
    create_fields = ("provider", *CONTRACT_FIELDS)
    update_fields = CONTRACT_FIELDS
    actor_fields = ("provider",)
    list_display = ["worker", "provider", "contract_type", "engagement_model", "starts_on", "ends_on", "weekly_hours"]
    list_filter = ["contract_type", "engagement_model"]
    search_fields = ["worker__last_name", "external_id"]
    list_select_related = ["worker", "provider"]
    raw_id_fields = ["worker", "provider", "legal_entity"]


@admin.register(PayrollRun)
class PayrollRunAdmin(ForProvider):
    create_service = staticmethod(services.payroll_run_create)
    update_service = staticmethod(services.payroll_run_update)
    create_fields = ("provider", "country", "period_start", "period_end", "pay_date", "external_id")
    update_fields = ("pay_date", "external_id")
    actor_fields = ("provider",)
    list_display = ["__str__", "provider", "country", "period_start", "period_end", "pay_date", "status"]
    list_filter = ["status", "country"]
    list_select_related = ["provider"]
    raw_id_fields = ["provider"]


class PayrollEntryAdminForm(forms.ModelForm):
    reason = forms.CharField(
        required=False, help_text="Why the status moves back (required for a backwards move, as on every path)."
    )

    class Meta:
        model = PayrollEntry
        # What the admin may show; which of these it edits is PayrollEntryAdmin's create/update fields.
        fields = [
            "run",
            "worker",
            "provider",
            "status",
            "failure_reason",
            "paid_at",
            "gross_amount",
            "currency",
            "external_id",
        ]


@admin.register(PayrollEntry)
class PayrollEntryAdmin(ForProvider):
    form = PayrollEntryAdminForm
    create_service = staticmethod(services.payroll_entry_create)
    update_service = staticmethod(services.payroll_entry_update)
    update_fields = ("status", "failure_reason", "paid_at", "gross_amount", "currency", "external_id")
    create_fields = ("run", "worker", *update_fields)

    def owner(self, obj=None, data=None):
        return obj.provider if obj is not None else data["run"].provider

    list_display = ["worker", "run", "status", "failure_reason", "paid_at", "external_id"]
    list_filter = ["status"]
    search_fields = ["worker__last_name", "external_id"]
    list_select_related = ["worker", "run"]
    raw_id_fields = ["worker", "run", "provider"]
    readonly_fields = ["status_reason", "created_at", "updated_at"]


@admin.register(ComplianceItem)
class ComplianceItemAdmin(ForProvider):
    create_service = staticmethod(services.compliance_item_create)
    update_service = staticmethod(services.compliance_item_update)
    create_fields = ("worker", "kind", *COMPLIANCE_FIELDS)
    update_fields = COMPLIANCE_FIELDS

    def owner(self, obj=None, data=None):
        return obj.provider if obj is not None else data["worker"].provider

    list_display = ["worker", "kind", "status", "expires_on", "evidence_reference"]
    list_filter = ["kind", "status"]
    search_fields = ["worker__last_name", "external_id", "evidence_reference"]
    list_select_related = ["worker"]
    raw_id_fields = ["worker", "provider", "verified_by"]
    readonly_fields = ["verified_by", "verified_at", "created_at", "updated_at"]


@admin.register(CsvImport)
class CsvImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "provider", "kind", "status", "total_rows", "error_rows", "applied_rows", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["provider", "created_by"]
    exclude = ["content", "report"]
    readonly_fields = ["status", "total_rows", "processed_rows", "ok_rows", "error_rows", "applied_rows", "applied_at"]
