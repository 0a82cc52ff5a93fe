"""FilterSets shared by the provider pages and the API lists (one FilterSet per list)."""

import django_filters
from django.db.models import F, Q

from outstaff.filters import BaseFilterSet, SearchFilterSet

from .choices import (
    ComplianceKind,
    ComplianceStatus,
    ContractType,
    CsvImportKind,
    CsvImportStatus,
    EngagementModel,
    PayrollEntryStatus,
    PayrollRunStatus,
)
from .models import ComplianceItem, CsvImport, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider


class ProviderFilterSet(SearchFilterSet, BaseFilterSet):
    search_fields = ("legal_name__icontains",)

    class Meta:
        model = Provider
        fields = ["headquarters_country"]


class LegalEntityFilterSet(BaseFilterSet):
    country = django_filters.CharFilter(lookup_expr="iexact")
    provider = django_filters.UUIDFilter(field_name="provider_id")

    class Meta:
        model = LegalEntity
        fields = ["country", "provider", "is_active"]


class ContractFilterSet(BaseFilterSet):
    worker = django_filters.UUIDFilter(field_name="worker_id")
    legal_entity = django_filters.UUIDFilter(field_name="legal_entity_id")
    contract_type = django_filters.ChoiceFilter(choices=ContractType.choices)
    engagement_model = django_filters.ChoiceFilter(choices=EngagementModel.choices)
    external_id = django_filters.CharFilter()
    active_on = django_filters.DateFilter(method="filter_active_on", label="Active on (date)")

    class Meta:
        model = EmploymentContract
        fields = ["worker", "legal_entity", "contract_type", "engagement_model", "external_id"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=value))


class PayrollRunFilterSet(BaseFilterSet):
    country = django_filters.CharFilter(lookup_expr="iexact")
    status = django_filters.ChoiceFilter(choices=PayrollRunStatus.choices)
    external_id = django_filters.CharFilter()
    period_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte", label="Period from")
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte", label="Period to")

    class Meta:
        model = PayrollRun
        fields = ["country", "status", "external_id"]


class PayrollEntryFilterSet(SearchFilterSet, BaseFilterSet):
    search_fields = (
        "worker__first_name__icontains",
        "worker__last_name__icontains",
        "worker__external_id__iexact",
        "external_id__iexact",
    )
    run = django_filters.UUIDFilter(field_name="run_id")
    worker = django_filters.UUIDFilter(field_name="worker_id")
    status = django_filters.ChoiceFilter(choices=PayrollEntryStatus.choices)
    external_id = django_filters.CharFilter()
    country = django_filters.CharFilter(field_name="run__country", lookup_expr="iexact")
    period_start = django_filters.DateFilter(field_name="run__period_start")

    class Meta:
        model = PayrollEntry
        fields = ["run", "worker", "status", "external_id"]


class ComplianceItemFilterSet(SearchFilterSet, BaseFilterSet):
    search_fields = (
        "worker__first_name__icontains",
        "worker__last_name__icontains",
        "worker__external_id__iexact",
        "evidence_reference__icontains",
    )
    worker = django_filters.UUIDFilter(field_name="worker_id")
    kind = django_filters.ChoiceFilter(choices=ComplianceKind.choices)
    status = django_filters.ChoiceFilter(choices=ComplianceStatus.choices)
    external_id = django_filters.CharFilter()
    country = django_filters.CharFilter(field_name="worker__country", lookup_expr="iexact")
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lte")
    expires_after = django_filters.DateFilter(field_name="expires_on", lookup_expr="gte")

    class Meta:
        model = ComplianceItem
        fields = ["worker", "kind", "status", "external_id"]


class WorkforceFilterSet(SearchFilterSet):
    """The provider home: workers the provider employs (no model import: providers sits below
    workers, so the filters are declared by lookup only)."""

    search_fields = ("first_name__icontains", "last_name__icontains", "work_email__icontains", "external_id__iexact")
    client = django_filters.UUIDFilter(field_name="client_id")
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    status = django_filters.ChoiceFilter(
        choices=[("onboarding", "Onboarding"), ("active", "Active"), ("offboarded", "Offboarded")]
    )
    payroll_status = django_filters.ChoiceFilter(
        choices=[*PayrollEntryStatus.choices, ("none", "No payroll yet")], method="filter_payroll_status"
    )
    compliance = django_filters.ChoiceFilter(
        choices=[("complete", "Complete"), ("incomplete", "Incomplete")], method="filter_compliance"
    )

    def filter_payroll_status(self, queryset, name, value):
        if value == "none":
            return queryset.filter(payroll_status__isnull=True)
        return queryset.filter(payroll_status=value)

    def filter_compliance(self, queryset, name, value):
        if value == "complete":
            return queryset.filter(compliance_verified__gte=F("compliance_required"))
        return queryset.filter(compliance_verified__lt=F("compliance_required"))


class CsvImportFilterSet(SearchFilterSet, BaseFilterSet):
    """The provider's CSV imports page (imports have no API: the page is the only reader)."""

    search_fields = ("file_name__icontains",)
    kind = django_filters.ChoiceFilter(choices=CsvImportKind.choices)
    status = django_filters.ChoiceFilter(choices=CsvImportStatus.choices)

    class Meta:
        model = CsvImport
        fields = ["kind", "status"]
