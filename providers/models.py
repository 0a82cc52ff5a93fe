import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from outstaff.dataversion import data_version_triggers
from outstaff.fields import CountryField, external_id_field
from outstaff.models import BaseModel
from outstaff.tombstones import tombstone_trigger

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

WEEKLY_HOURS_VALIDATORS = [MinValueValidator(0), MaxValueValidator(80)]


def _unique_external_id(owner: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=[owner, "external_id"],
        condition=~Q(external_id=""),
        name="%(app_label)s_%(class)s_unique_external_id",
    )


# The organizations whose cached reads (outstaff/dataversion.py) a payroll entry or compliance item
# feeds: the provider that recorded it, and its worker's client and current provider.
RECORDED_FOR_TENANTS = (
    "SELECT provider_id FROM {rows} UNION ALL"
    " SELECT o.id FROM {rows} AS r JOIN workers_worker AS w ON w.id = r.worker_id"
    " CROSS JOIN LATERAL (VALUES (w.client_id), (w.provider_id)) AS o(id)"
)

# A payroll run's: its provider, and the clients and providers of the workers it has entries for.
RUN_TENANTS = (
    "SELECT provider_id FROM {rows} UNION ALL"
    " SELECT o.id FROM {rows} AS r JOIN providers_payrollentry AS e ON e.run_id = r.id"
    " JOIN workers_worker AS w ON w.id = e.worker_id"
    " CROSS JOIN LATERAL (VALUES (w.client_id), (w.provider_id)) AS o(id)"
)

# A provider profile's: the provider, and every client whose workers it employs.
PROVIDER_TENANTS = (
    "SELECT organization_id FROM {rows} UNION ALL"
    " SELECT DISTINCT w.client_id FROM {rows} AS r JOIN workers_worker AS w ON w.provider_id = r.organization_id"
)


# The provider organization's settings (its name and country in the directory clients choose from).
@pghistory.track()
class Provider(models.Model):
    """The provider profile of a provider organization (an employer of record). Its primary key is
    the organization's id, so `provider_id` on a row is the owning organization: one indexed filter."""

    organization = models.OneToOneField(
        "accounts.Organization", primary_key=True, on_delete=models.CASCADE, related_name="provider_profile"
    )
    legal_name = models.CharField(max_length=200)
    website = models.URLField(blank=True, default="")
    headquarters_country = CountryField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ("legal_name",)
        # The clients' team lists show the legal name of each worker's provider.
        triggers = [*data_version_triggers(tenants_sql=PROVIDER_TENANTS)]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def id(self):
        return self.organization_id


@pghistory.track()
class LegalEntity(BaseModel):
    """A provider's registered employer in one country, with its staffing licence where required."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="legal_entities")
    country = CountryField(db_index=True)
    name = models.CharField(max_length=200)
    registration_number = models.CharField(max_length=80)
    staffing_licence_number = models.CharField(max_length=80, blank=True, default="")
    staffing_licence_expires_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        triggers = [
            tombstone_trigger(
                resource_type="legal-entities", organizations_sql="ARRAY[OLD.provider_id]", has_external_id=False
            )
        ]
        ordering = ("country", "name")
        verbose_name_plural = "legal entities"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "country", "registration_number"],
                name="%(app_label)s_%(class)s_unique_registration",
            ),
        ]
        indexes = [models.Index(fields=["provider", "country"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


@pghistory.track()
class EmploymentContract(BaseModel):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="contracts")
    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="contracts")
    legal_entity = models.ForeignKey(LegalEntity, on_delete=models.PROTECT, related_name="contracts")
    external_id = external_id_field()
    contract_type = models.CharField(max_length=16, choices=ContractType.choices)
    engagement_model = models.CharField(
        max_length=16, choices=EngagementModel.choices, default=EngagementModel.UNSPECIFIED
    )
    signed_on = models.DateField(null=True, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    weekly_hours = models.DecimalField(max_digits=4, decimal_places=1, validators=WEEKLY_HOURS_VALIDATORS)

    class Meta:
        triggers = [
            tombstone_trigger(
                resource_type="contracts",
                organizations_sql=(
                    "(SELECT ARRAY[w.client_id, w.provider_id] FROM workers_worker w WHERE w.id = OLD.worker_id)"
                ),
            )
        ]
        ordering = ("-starts_on", "id")
        constraints = [
            _unique_external_id("provider"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(weekly_hours__gte=0) & Q(weekly_hours__lte=80), name="%(app_label)s_%(class)s_hours_range"
            ),
        ]
        indexes = [models.Index(fields=["provider", "contract_type"]), models.Index(fields=["worker", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.get_contract_type_display()} contract · {self.worker} from {self.starts_on}"


@pghistory.track()
class PayrollRun(BaseModel):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="payroll_runs")
    country = CountryField()
    period_start = models.DateField()
    period_end = models.DateField()
    pay_date = models.DateField()
    status = models.CharField(max_length=16, choices=PayrollRunStatus.choices, default=PayrollRunStatus.DRAFT)
    external_id = external_id_field()

    class Meta:
        triggers = [
            tombstone_trigger(resource_type="payroll-runs", organizations_sql="ARRAY[OLD.provider_id]"),
            # A run's period is each of its entries' (the provider home's latest payroll, a worker page).
            *data_version_triggers(tenants_sql=RUN_TENANTS),
        ]
        ordering = ("-period_start", "country")
        constraints = [
            _unique_external_id("provider"),
            models.UniqueConstraint(
                fields=["provider", "country", "period_start", "period_end"],
                name="%(app_label)s_%(class)s_unique_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="%(app_label)s_%(class)s_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Payroll {self.country} {self.period_start:%Y-%m}"


@pghistory.track()
class PayrollEntry(BaseModel):
    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="entries")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="payroll_entries")
    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="payroll_entries")
    external_id = external_id_field()
    status = models.CharField(max_length=16, choices=PayrollEntryStatus.choices, default=PayrollEntryStatus.SCHEDULED)
    failure_reason = models.TextField(blank=True, default="")
    # Why the status last moved when the move needed a reason (e.g. paid → processing); the audit
    # history keeps every earlier value.
    status_reason = models.TextField(blank=True, default="")
    paid_at = models.DateTimeField(null=True, blank=True)
    gross_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")

    class Meta:
        triggers = [
            tombstone_trigger(
                resource_type="payroll-entries",
                organizations_sql=(
                    "ARRAY[(SELECT w.client_id FROM workers_worker w WHERE w.id = OLD.worker_id), OLD.provider_id]"
                ),
            ),
            *data_version_triggers(tenants_sql=RECORDED_FOR_TENANTS),
        ]
        ordering = ("-created_at", "id")
        verbose_name_plural = "payroll entries"
        constraints = [
            _unique_external_id("provider"),
            models.UniqueConstraint(fields=["run", "worker"], name="%(app_label)s_%(class)s_unique_worker_per_run"),
            models.CheckConstraint(
                condition=~Q(status=PayrollEntryStatus.FAILED) | ~Q(failure_reason=""),
                name="%(app_label)s_%(class)s_failed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["worker", "created_at"]),
            # The API list of one provider, newest first (the cursor's order).
            models.Index(fields=["provider", "created_at", "id"], name="payroll_entry_provider_created"),
            # The provider home's count of failed entries: the few failed ones, with the worker the
            # count joins to (an index-only scan instead of reading ~2k rows at 22k workers).
            models.Index(
                fields=["provider", "worker"],
                condition=Q(status=PayrollEntryStatus.FAILED),
                name="payroll_entry_failed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.run} · {self.get_status_display()}"


@pghistory.track()
class ComplianceItem(BaseModel):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="compliance_items")
    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="compliance_items")
    external_id = external_id_field()
    kind = models.CharField(max_length=40, choices=ComplianceKind.choices)
    status = models.CharField(max_length=16, choices=ComplianceStatus.choices, default=ComplianceStatus.MISSING)
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    evidence_reference = models.CharField(max_length=255, blank=True, default="")
    verified_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")

    class Meta:
        triggers = [
            tombstone_trigger(
                resource_type="compliance-items",
                organizations_sql=(
                    "ARRAY[(SELECT w.client_id FROM workers_worker w WHERE w.id = OLD.worker_id), OLD.provider_id]"
                ),
            ),
            *data_version_triggers(tenants_sql=RECORDED_FOR_TENANTS),
        ]
        ordering = ("worker", "kind")
        constraints = [
            _unique_external_id("provider"),
            models.UniqueConstraint(fields=["worker", "kind"], name="%(app_label)s_%(class)s_unique_kind_per_worker"),
        ]
        indexes = [
            models.Index(fields=["provider", "status"]),
            # What expires soon (the provider home's count, the compliance page's list): a date range
            # of one provider's items, read from the index alone (22 ms → 4 ms at 22k workers).
            models.Index(
                fields=["provider", "expires_on"], include=["status", "worker"], name="compliance_expiring_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.get_kind_display()} · {self.get_status_display()}"


class CsvImport(BaseModel):
    """An uploaded CSV of payroll entry statuses or compliance items: checked (dry run) first, then
    applied all-or-nothing, or only its good rows when the provider chooses so. The per-row report
    and the progress counters live here so the page can show them while a worker processes a
    large file."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="csv_imports")
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=24, choices=CsvImportKind.choices)
    file_name = models.CharField(max_length=255)
    content = models.TextField()
    status = models.CharField(max_length=16, choices=CsvImportStatus.choices, default=CsvImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    ok_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    changed_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)
    applied_rows = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)
    good_rows_only = models.BooleanField(default=False)
    apply_requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    failure = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("-created_at", "id")
        indexes = [models.Index(fields=["provider", "created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()}, {self.get_status_display()})"

    @property
    def percent_done(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
