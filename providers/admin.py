"""Admin for support staff: read-mostly; business changes go through the pages, CSV and API so
the rules (reasons, version checks) and the audit channel apply."""

from django.contrib import admin

from .models import ComplianceItem, CsvImport, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider


class LegalEntityInline(admin.TabularInline):
    model = LegalEntity
    extra = 0
    fields = ["country", "name", "registration_number", "staffing_licence_number", "staffing_licence_expires_on"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "organization", "headquarters_country", "updated_at"]
    search_fields = ["legal_name", "organization__name"]
    raw_id_fields = ["organization"]
    inlines = [LegalEntityInline]


@admin.register(LegalEntity)
class LegalEntityAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "country", "registration_number", "staffing_licence_expires_on", "is_active"]
    list_filter = ["country", "is_active"]
    search_fields = ["name", "registration_number", "provider__legal_name"]
    raw_id_fields = ["provider"]


@admin.register(EmploymentContract)
class EmploymentContractAdmin(admin.ModelAdmin):
    list_display = ["worker", "provider", "contract_type", "engagement_model", "starts_on", "ends_on", "weekly_hours"]
    list_filter = ["contract_type", "engagement_model"]
    search_fields = ["worker__last_name", "external_id"]
    list_select_related = ["worker", "provider"]
    raw_id_fields = ["worker", "provider", "legal_entity"]


@admin.register(PayrollRun)
class PayrollRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "provider", "country", "period_start", "period_end", "pay_date", "status"]
    list_filter = ["status", "country"]
    list_select_related = ["provider"]
    raw_id_fields = ["provider"]


@admin.register(PayrollEntry)
class PayrollEntryAdmin(admin.ModelAdmin):
    list_display = ["worker", "run", "status", "failure_reason", "paid_at", "external_id"]
    list_filter = ["status"]
    search_fields = ["worker__last_name", "external_id"]
    list_select_related = ["worker", "run"]
    raw_id_fields = ["worker", "run", "provider"]
    readonly_fields = ["status", "failure_reason", "status_reason", "paid_at", "created_at", "updated_at"]


@admin.register(ComplianceItem)
class ComplianceItemAdmin(admin.ModelAdmin):
    list_display = ["worker", "kind", "status", "expires_on", "evidence_reference"]
    list_filter = ["kind", "status"]
    search_fields = ["worker__last_name", "external_id", "evidence_reference"]
    list_select_related = ["worker"]
    raw_id_fields = ["worker", "provider", "verified_by"]
    readonly_fields = ["status", "verified_by", "verified_at", "created_at", "updated_at"]


@admin.register(CsvImport)
class CsvImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "provider", "kind", "status", "total_rows", "error_rows", "applied_rows", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["provider", "created_by"]
    exclude = ["content", "report"]
    readonly_fields = ["status", "total_rows", "processed_rows", "ok_rows", "error_rows", "applied_rows", "applied_at"]
