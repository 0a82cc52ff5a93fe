import uuid

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from outstaff.dataversion import data_version_triggers
from outstaff.fields import CountryField, external_id_field, subdivision_code_validator
from outstaff.models import BaseModel, reads
from outstaff.tombstones import tombstone_trigger

from .choices import CheckInKind, ExitReason, WorkerStatus

# The organizations whose cached reads (outstaff/dataversion.py) a row of a worker feeds: the
# worker's client and its provider (the worker's own row names both).
THROUGH_WORKER_TENANTS = (
    "SELECT o.id FROM {rows} AS r JOIN workers_worker AS w ON w.id = r.worker_id"
    " CROSS JOIN LATERAL (VALUES (w.client_id), (w.provider_id)) AS o(id)"
)


@pghistory.track()
class Worker(BaseModel):
    """A dedicated worker: employed by one provider, directed by one client."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="workers")
    client = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="client_workers")
    external_id = external_id_field()
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    work_email = models.EmailField()
    country = CountryField(db_index=True)
    # ISO 3166-2 where a jurisdiction differs within the country (e.g. "US-CA" for California's ABC test).
    subdivision = models.CharField(
        max_length=6,
        blank=True,
        default="",
        validators=[subdivision_code_validator],
        help_text="ISO 3166-2 code where the law differs within the country, e.g. US-CA.",
    )
    # One person across worker records: a provider change creates a new record (new provider, often a
    # new work e-mail) that continues the person, and the risk engine counts tenure caps and
    # dedication per person (DESIGN §6). A new record is a new person unless it names the record it
    # continues (worker_create(continues_worker=...)).
    person_id = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    timezone = models.CharField(max_length=64, default="UTC")
    role_title = models.CharField(max_length=120, blank=True, default="")
    status = models.CharField(max_length=16, choices=WorkerStatus.choices, default=WorkerStatus.ONBOARDING)
    start_date = models.DateField(null=True, blank=True)
    exit_date = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=24, choices=ExitReason.choices, blank=True, default="")
    exit_notes = models.TextField(blank=True, default="")
    # The onboarding gate (DESIGN §7): set when a client admin lets a worker through without a
    # passed screening. The reason is mandatory and the risk engine flags it.
    gate_override_reason = models.TextField(blank=True, default="")
    gate_override_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gate_override_at = models.DateTimeField(null=True, blank=True)
    # Set by the personal-data erasure (privacy app): the row stays, pseudonymised, because payroll,
    # contracts and the audit trail that point at it must be kept; it leaves every list.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        triggers = [
            tombstone_trigger(resource_type="workers", organizations_sql="ARRAY[OLD.client_id, OLD.provider_id]"),
            *data_version_triggers(tenants_sql="SELECT client_id FROM {rows} UNION ALL SELECT provider_id FROM {rows}"),
        ]
        ordering = ("last_name", "first_name", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(start_date__isnull=True) | Q(exit_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_exit_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status=WorkerStatus.OFFBOARDED) | Q(exit_date__isnull=False),
                name="%(app_label)s_%(class)s_offboarded_has_exit_date",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "status"]),
            models.Index(fields=["provider", "status"]),
            # The team list of one tenant by name, and its count: only workers not erased are listed,
            # so the index holds only those and the count reads it alone (an index-only scan instead
            # of visiting every worker row of the tenant for `erased_at`: 31 ms → 2 ms at 19.6k).
            *[
                models.Index(
                    fields=[owner, "last_name", "first_name", "id"],
                    condition=Q(erased_at__isnull=True),
                    name=f"workers_{owner}_live_name_idx",
                )
                for owner in ("client", "provider")
            ],
            # The provider home: a provider's workers grouped by client and country, each group by
            # name. Its group sizes are read from this index alone, and a page's rows are slices of
            # a group in this order (providers.selectors.workforce_groups).
            models.Index(
                fields=["provider", "client", "country", "last_name", "first_name", "id"],
                name="workers_provider_groups_idx",
            ),
            # The API list of one tenant (newest first, the cursor's order).
            models.Index(fields=["client", "created_at", "id"], name="workers_client_created_idx"),
            models.Index(fields=["provider", "created_at", "id"], name="workers_provider_created_idx"),
            models.Index(fields=["start_date"]),
            # The risk engine follows one person across providers by work e-mail (tenure caps).
            models.Index(Lower("work_email"), name="workers_worker_email_lower_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    @reads("first_name", "last_name")
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def tenure_days(self) -> int | None:
        """Days since the start date, counting it (day 1 is the start), while employed; None before
        the start or without one."""
        from django.utils import timezone

        if self.start_date is None:
            return None
        last = self.exit_date if self.exit_date and self.exit_date < timezone.localdate() else timezone.localdate()
        days = (last - self.start_date).days + 1
        return days if days > 0 else None

    @property
    def in_first_90_days(self) -> bool:
        return self.status != "offboarded" and self.tenure_days is not None and self.tenure_days <= 90


@pghistory.track()
class CheckIn(BaseModel):
    """A 30/60/90-day (or ad-hoc) check-in between a worker and their directing manager."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="check_ins")
    kind = models.CharField(max_length=8, choices=CheckInKind.choices)
    due_on = models.DateField(db_index=True)
    done_on = models.DateField(null=True, blank=True)
    manager = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    engagement = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    role_clarity = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    manager_relationship = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    notes = models.TextField(blank=True, default="")

    class Meta:
        triggers = [
            tombstone_trigger(
                resource_type="check-ins",
                organizations_sql=(
                    "(SELECT ARRAY[w.client_id, w.provider_id] FROM workers_worker w WHERE w.id = OLD.worker_id)"
                ),
                has_external_id=False,
            ),
            *data_version_triggers(tenants_sql=THROUGH_WORKER_TENANTS),
        ]
        ordering = ("due_on", "id")
        verbose_name = "check-in"
        indexes = [
            # Open check-ins (overdue and upcoming on the dashboard): a small part of all of them,
            # counted from the index alone (the id is included for COUNT(id)).
            models.Index(
                fields=["worker", "due_on"],
                include=["id"],
                condition=Q(done_on__isnull=True),
                name="workers_checkin_open_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "kind"],
                condition=~Q(kind=CheckInKind.AD_HOC),
                name="%(app_label)s_%(class)s_one_per_milestone",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{rating}__isnull": True}) | Q(**{f"{rating}__gte": 1, f"{rating}__lte": 5}),
                    name=f"%(app_label)s_%(class)s_{rating}_1_to_5",
                )
                for rating in ("engagement", "role_clarity", "manager_relationship")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.get_kind_display()}"
