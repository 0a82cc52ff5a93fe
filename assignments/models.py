import pghistory
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Func, Q

from outstaff.dataversion import data_version_triggers
from outstaff.fields import external_id_field
from outstaff.models import BaseModel
from outstaff.tombstones import tombstone_trigger
from providers.models import WEEKLY_HOURS_VALIDATORS

from .choices import AssignmentStatus, DirectedBy


class DateRange(Func):
    function = "DATERANGE"
    output_field = DateRangeField()


# Who manages a team decides which hiring managers see its workers: an access change, audited with
# the team (created, renamed, managers changed, deleted).
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Team(BaseModel):
    client = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    external_id = external_id_field()
    managers = models.ManyToManyField("accounts.User", blank=True, related_name="managed_teams")
    # The managers' user ids, sorted, kept on the row by `assignments.receivers` after every change of
    # `managers` (whichever side or code path made it), so the team's audit versions show each change
    # of who manages it, before and after. Not read for access: `managers` is.
    manager_ids = ArrayField(models.UUIDField(), default=list, blank=True, editable=False)

    class Meta:
        triggers = [
            tombstone_trigger(resource_type="teams", organizations_sql="ARRAY[OLD.client_id]"),
            # Who manages it decides a hiring manager's scope; its managers table has its own
            # triggers (migration 0006). outstaff/dataversion.py.
            *data_version_triggers(tenants_sql="SELECT client_id FROM {rows}"),
        ]
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="%(app_label)s_%(class)s_unique_name"),
            models.UniqueConstraint(
                fields=["client", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Assignment(BaseModel):
    """A placement: who directs a dedicated worker's work, for how many hours, on whose schedule."""

    client = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="assignments")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="assignments")
    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="assignments")
    manager = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="directed_assignments"
    )
    external_id = external_id_field()
    role = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    weekly_hours = models.DecimalField(max_digits=4, decimal_places=1, validators=WEEKLY_HOURS_VALIDATORS)
    directed_by = models.CharField(max_length=16, choices=DirectedBy.choices, default=DirectedBy.CLIENT)
    schedule_set_by_client = models.BooleanField(default=False)
    equipment_provided_by_client = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE)

    class Meta:
        triggers = [
            tombstone_trigger(
                resource_type="assignments",
                organizations_sql=(
                    "ARRAY[OLD.client_id, (SELECT w.provider_id FROM workers_worker w WHERE w.id = OLD.worker_id)]"
                ),
            ),
            *data_version_triggers(
                tenants_sql="SELECT client_id FROM {rows} UNION ALL "
                "SELECT w.provider_id FROM {rows} AS r JOIN workers_worker AS w ON w.id = r.worker_id"
            ),
        ]
        ordering = ("-starts_on", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(weekly_hours__gte=0) & Q(weekly_hours__lte=80), name="%(app_label)s_%(class)s_hours_range"
            ),
            # A worker is dedicated: their (non-cancelled) assignments never overlap, across clients.
            ExclusionConstraint(
                name="%(app_label)s_%(class)s_no_overlap_per_worker",
                expressions=[
                    ("worker", RangeOperators.EQUAL),
                    (
                        DateRange("starts_on", "ends_on", RangeBoundary(inclusive_lower=True, inclusive_upper=True)),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=~Q(status=AssignmentStatus.CANCELLED),
            ),
        ]
        indexes = [
            models.Index(fields=["client", "status"]),
            # The API list of one client, newest first (the cursor's order).
            models.Index(fields=["client", "created_at", "id"], name="assignments_client_created_idx"),
            models.Index(fields=["worker", "starts_on"]),
            models.Index(fields=["team", "status"]),
            # A hiring manager's scope (accounts.Actor.directed_assignments: the client's assignments
            # on their teams or directed by them, and their workers), read from the index alone on
            # every count of their pages instead of visiting the client's assignment rows each time.
            models.Index(
                fields=["client"], include=["team", "manager", "worker", "id"], name="assignments_directed_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.role} · {self.team}"
