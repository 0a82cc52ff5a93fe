"""90-day retention per start-month cohort (DESIGN §6): of the workers who started in a month, the
share still employed on day 90, grouped by client, team, provider, country or role, with early
leavers' exit reasons. A cohort whose starters have not all reached day 90 is incomplete and has
no rate, rather than showing as 100%. Two queries, whatever the number of workers."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat, TruncMonth
from django.utils import timezone

from accounts.actors import Actor
from assignments.models import Assignment
from workers.models import Worker

from .rules.tenure import add_months

RETENTION_DAY = 90
GROUPS = {
    "client": ("client_id", "client__name"),
    "provider": ("provider_id", "provider__legal_name"),
    "country": ("country", "country"),
    "role": ("role_title", "role_title"),
    "team": ("team_key", "team_label"),
}


@dataclass
class Cohort:
    month: dt.date
    group: str | None
    label: str
    starters: int = 0
    reached_day_90: int = 0
    retained: int = 0
    early_leavers: int = 0
    exit_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.starters > 0 and self.reached_day_90 == self.starters

    @property
    def rate(self) -> float | None:
        return round(self.retained / self.starters, 4) if self.complete else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)

    def as_dict(self) -> dict:
        return {
            "cohort": self.month.strftime("%Y-%m"),
            "group": self.group,
            "label": self.label,
            "starters": self.starters,
            "reached_day_90": self.reached_day_90,
            "retained": self.retained,
            "early_leavers": self.early_leavers,
            "complete": self.complete,
            "retention_rate": self.rate,
            "exit_reasons": self.exit_reasons,
        }


@dataclass
class RetentionReport:
    group_by: str
    today: dt.date
    months: list[dt.date]
    overall: list[Cohort]
    groups: list[Cohort]

    def as_dict(self) -> dict:
        return {
            "group_by": self.group_by,
            "as_of": self.today.isoformat(),
            "retention_day": RETENTION_DAY,
            "overall": [c.as_dict() for c in self.overall],
            "cohorts": [c.as_dict() for c in self.groups],
        }


def retention_cohorts(
    *, actor: Actor, group_by: str = "client", months: int = 12, today: dt.date | None = None
) -> RetentionReport:
    today = today or timezone.localdate()
    key_field, label_field = GROUPS[group_by]
    first_month = add_months(today.replace(day=1), -(months - 1))
    month_list = [add_months(first_month, i) for i in range(months)]
    matured_by = today - dt.timedelta(days=RETENTION_DAY)
    day_90 = F("start_date") + dt.timedelta(days=RETENTION_DAY)

    workers = Worker.objects.filter(actor.worker_scope(), start_date__gte=first_month, start_date__lte=today)
    if group_by == "team":
        # Grouped by the team's id, not its name: two clients (seen together by a provider) may both
        # have a "Platform" team. A provider's label names the client too.
        first_assignment = (
            Assignment.objects.filter(worker_id=OuterRef("pk")).exclude(status="cancelled").order_by("starts_on", "id")
        )
        label = Concat("team__name", Value(" · "), "client__name") if actor.is_provider else F("team__name")
        workers = workers.annotate(
            team_key=Subquery(first_assignment.values("team_id")[:1]),
            team_label=Subquery(first_assignment.annotate(label=label).values("label")[:1]),
        )
    workers = workers.annotate(cohort=TruncMonth("start_date"))
    left_early = Q(exit_date__isnull=False, exit_date__lt=day_90)

    rows = (
        workers.values("cohort", key_field, label_field)
        .annotate(
            starters=Count("id"),
            reached=Count("id", filter=Q(start_date__lte=matured_by)),
            retained=Count("id", filter=Q(start_date__lte=matured_by) & ~left_early),
            early=Count("id", filter=left_early),
        )
        .order_by("cohort", label_field)
    )
    reasons = (
        workers.filter(left_early)
        .values("cohort", key_field, "exit_reason")
        .annotate(n=Count("id"))
        .order_by("cohort", key_field, "exit_reason")
    )
    reasons_by: dict = defaultdict(dict)
    for row in reasons:
        reasons_by[(_month(row["cohort"]), row[key_field])][row["exit_reason"] or "unknown"] = row["n"]

    overall = {month: Cohort(month=month, group=None, label="All") for month in month_list}
    groups = []
    for row in rows:
        month = _month(row["cohort"])
        key = row[key_field]
        cohort = Cohort(
            month=month,
            group=str(key) if key is not None else None,
            label=str(row[label_field] or "—"),
            starters=row["starters"],
            reached_day_90=row["reached"],
            retained=row["retained"],
            early_leavers=row["early"],
            exit_reasons=reasons_by.get((month, key), {}),
        )
        groups.append(cohort)
        total = overall[month]
        total.starters += cohort.starters
        total.reached_day_90 += cohort.reached_day_90
        total.retained += cohort.retained
        total.early_leavers += cohort.early_leavers
        for reason, count in cohort.exit_reasons.items():
            total.exit_reasons[reason] = total.exit_reasons.get(reason, 0) + count
    return RetentionReport(
        group_by=group_by, today=today, months=month_list, overall=list(overall.values()), groups=groups
    )


def retention_overall(*, actor: Actor, months: int = 12, today: dt.date | None = None) -> list[Cohort]:
    """The "All" cohorts of `retention_cohorts` (what the risk board's chart draws) in one query
    grouped by month alone: no join for group labels and no query for exit reasons, which the chart
    does not show (`exit_reasons` stays empty). The same counts as summing `retention_cohorts`'
    groups, as a test shows. The risk board caches it (risks.selectors.risk_board_summary)."""
    today = today or timezone.localdate()
    first_month = add_months(today.replace(day=1), -(months - 1))
    matured_by = today - dt.timedelta(days=RETENTION_DAY)
    left_early = Q(exit_date__isnull=False, exit_date__lt=F("start_date") + dt.timedelta(days=RETENTION_DAY))
    rows = (
        Worker.objects.filter(actor.worker_scope(), start_date__gte=first_month, start_date__lte=today)
        .annotate(cohort=TruncMonth("start_date"))
        .values("cohort")
        .annotate(
            starters=Count("id"),
            reached=Count("id", filter=Q(start_date__lte=matured_by)),
            retained=Count("id", filter=Q(start_date__lte=matured_by) & ~left_early),
            early=Count("id", filter=left_early),
        )
        .order_by("cohort")
    )
    overall = {add_months(first_month, i): None for i in range(months)}
    for month in overall:
        overall[month] = Cohort(month=month, group=None, label="All")
    for row in rows:
        cohort = overall[_month(row["cohort"])]
        cohort.starters, cohort.reached_day_90 = row["starters"], row["reached"]
        cohort.retained, cohort.early_leavers = row["retained"], row["early"]
    return list(overall.values())


def _month(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
