import pghistory
from django.db import models
from django.db.models import Case, Q, Value, When

from outstaff.dataversion import data_version_triggers
from outstaff.models import BaseModel, reads
from outstaff.tombstones import tombstone_trigger

from .choices import FlagStatus, RiskCategory, Severity

SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


# `last_seen_at` is written when a scan opens, changes or resolves the flag, never just because a
# rescan saw it again (a rescan that changes nothing writes nothing); `last_sighting` adds the full
# scans that saw it since. Left out of the audit snapshot: it is bookkeeping, not a status change.
@pghistory.track(exclude=["last_seen_at", "severity_rank"])
class RiskFlag(BaseModel):
    """One finding of one rule about one subject (a worker, and an assignment where it applies).
    At most one unresolved flag per (subject, rule): scans upsert, never duplicate."""

    client = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="risk_flags")
    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="risk_flags")
    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="risk_flags")
    assignment = models.ForeignKey(
        "assignments.Assignment", null=True, blank=True, on_delete=models.CASCADE, related_name="risk_flags"
    )
    rule_code = models.CharField(max_length=64, db_index=True)
    category = models.CharField(max_length=24, choices=RiskCategory.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    # Most severe first (0 = critical … 3 = low), computed and stored by PostgreSQL from `severity`:
    # the risk board sorts by it through an index instead of ranking every current flag per request.
    severity_rank = models.GeneratedField(
        expression=Case(
            *[When(severity=severity, then=Value(rank)) for rank, severity in enumerate(SEVERITY_ORDER)],
            default=Value(len(SEVERITY_ORDER)),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    evidence = models.JSONField(default=dict)
    evidence_hash = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    status_reason = models.TextField(blank=True, default="")
    status_changed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who changed the status when it was an API key or the scan itself ("api key <prefix>", "risk scan").
    status_changed_via = models.CharField(max_length=120, blank=True, default="")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Set when a scan raised the severity of a current flag; the daily digest reports these.
    escalated_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        triggers = [
            tombstone_trigger(
                resource_type="risk-flags",
                organizations_sql="ARRAY[OLD.client_id, OLD.provider_id]",
                has_external_id=False,
            ),
            *data_version_triggers(tenants_sql="SELECT client_id FROM {rows} UNION ALL SELECT provider_id FROM {rows}"),
        ]
        ordering = ("-last_seen_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "assignment", "rule_code"],
                condition=~Q(status=FlagStatus.RESOLVED),
                nulls_distinct=False,
                name="%(app_label)s_%(class)s_one_current_per_subject_rule",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "status", "severity"]),
            models.Index(fields=["provider", "status", "severity"]),
            # The API list of one tenant, newest first (the cursor's order).
            models.Index(fields=["client", "created_at", "id"], name="risks_flag_client_created_idx"),
            models.Index(fields=["provider", "created_at", "id"], name="risks_flag_provider_created"),
            # The risk board: current flags of one client (or provider), most severe and newest first.
            *[
                models.Index(
                    owner,
                    "severity_rank",
                    models.F("first_seen_at").desc(),
                    "id",
                    condition=Q(status__in=[FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED]),
                    name=f"risks_board_{owner[:-3]}_idx",
                )
                for owner in ("client_id", "provider_id")
            ],
            # The home page's inbox: the open flags of one client (or provider), oldest first. Without
            # it the page sorted every open flag of the tenant (13k at 100k workers) with its evidence.
            *[
                models.Index(
                    owner,
                    "first_seen_at",
                    "id",
                    condition=Q(status=FlagStatus.OPEN),
                    name=f"risks_inbox_{owner[:-3]}_idx",
                )
                for owner in ("client_id", "provider_id")
            ],
            # A provider's open-flag count in the navigation (every page): the client-only rules are
            # left out by `rule_code`, so it is included (25 ms reading the rows → 3 ms at 22k workers).
            models.Index(
                fields=["provider"],
                include=["rule_code"],
                condition=Q(status=FlagStatus.OPEN),
                name="risks_open_provider_idx",
            ),
            # A client's counts (by severity and category, the 12-week chart of open flags, the board's
            # provider filter) read only these columns: an index-only scan of the client's entries
            # instead of its rows with their evidence (30 ms at 100k workers, 3 ms this way).
            models.Index(
                fields=["client"],
                include=[
                    "id",
                    "status",
                    "severity",
                    "category",
                    "provider_id",
                    "first_seen_at",
                    "resolved_at",
                    "status_changed_at",
                ],
                name="risks_flag_client_counts_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} · {self.worker}"

    @property
    @reads("last_seen", "last_seen_at")
    def last_sighting(self):
        """When a scan last saw the condition: `last_seen` as the selectors annotate it (the later
        of `last_seen_at` and the last finished full scan, for an unresolved flag), else the
        stored value (a flag just written by a scan or a service, when both agree)."""
        return self.__dict__.get("last_seen", self.last_seen_at)


class RiskScanRun(models.Model):
    """One finished scan: what it covered and what it changed, shown on the risk page so a reader
    knows how fresh the flags are."""

    scope = models.CharField(max_length=16)  # "full" or "workers"
    as_of = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    workers = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    still_open = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-finished_at",)
        indexes = [models.Index(fields=["scope", "-finished_at"])]

    def __str__(self) -> str:
        return f"{self.scope} scan {self.finished_at:%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


class PendingRescan(models.Model):
    """A worker whose re-evaluation is owed: the rescan outbox and its debounce state, in PostgreSQL
    rather than a cache (DESIGN §9: no state in process memory). The row is written in the change's
    own transaction, so a committed change always leaves it, whatever happens to the broker or the
    process afterwards; the re-evaluation task deletes it when it starts, and the beat drain scans
    rows that no task picked up (broker down, message lost). `enqueued_at` is the debounce: while a
    task is on its way, further changes to the worker enqueue nothing more."""

    worker_id = models.UUIDField(primary_key=True)
    source = models.CharField(max_length=100, blank=True, default="")
    requested_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["requested_at"], name="risks_pendingrescan_req_idx")]

    def __str__(self) -> str:
        return f"rescan {self.worker_id} ({'enqueued' if self.enqueued_at else 'waiting'})"
