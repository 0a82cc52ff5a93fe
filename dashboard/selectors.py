"""What the home page shows, each figure one aggregate query over a scoped selector, so the page
costs the same for a client with 50 workers or 5,000."""

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Q
from django.utils import timezone

from accounts.actors import Actor
from outstaff.dataversion import cached
from outstaff.pagecache import PageBody
from providers.choices import PayrollEntryStatus
from providers.selectors import compliance_items_expiring, payroll_entry_list
from risks.choices import FlagStatus
from risks.selectors import risk_flag_list, risk_flag_open_count, rules_wording_version
from screening.choices import ScreeningStage, ScreeningStatus
from screening.selectors import screening_list
from workers.choices import WorkerStatus
from workers.selectors import check_in_list, worker_list

from .charts import open_flags_by_week, retention_trend
from .inbox import inbox_items

CURRENT_FLAGS = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)
UPCOMING_DAYS = 14


def dashboard_summary(*, actor: Actor, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    summary = {
        "workers": worker_list(actor=actor)
        .order_by()
        .aggregate(
            active=Count("id", filter=Q(status=WorkerStatus.ACTIVE)),
            onboarding=Count("id", filter=Q(status=WorkerStatus.ONBOARDING)),
            first_90_days=Count(
                "id",
                filter=Q(
                    status=WorkerStatus.ACTIVE, start_date__gt=today - dt.timedelta(days=90), start_date__lte=today
                ),
            ),
        ),
        "flags": risk_flag_list(actor=actor)
        .filter(status__in=CURRENT_FLAGS)
        .order_by()
        .aggregate(
            critical=Count("id", filter=Q(severity="critical")),
            high=Count("id", filter=Q(severity="high")),
            medium=Count("id", filter=Q(severity="medium")),
            low=Count("id", filter=Q(severity="low")),
            misclassification=Count("id", filter=Q(category="misclassification")),
            attrition=Count("id", filter=Q(category="attrition")),
        ),
        "check_ins": check_in_list(actor=actor)
        .filter(done_on__isnull=True)
        .exclude(worker__status=WorkerStatus.OFFBOARDED)
        .order_by()
        .aggregate(
            overdue=Count("id", filter=Q(due_on__lt=today)),
            upcoming=Count("id", filter=Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=UPCOMING_DAYS))),
        ),
        "upcoming_days": UPCOMING_DAYS,
        "today": today,
        "upcoming_until": today + dt.timedelta(days=UPCOMING_DAYS),
    }
    if actor.is_client:
        summary["screenings"] = (
            screening_list(actor=actor)
            .filter(status=ScreeningStatus.IN_PROGRESS)
            .order_by()
            .aggregate(
                total=Count("id"),
                **{stage: Count("id", filter=Q(stage=stage)) for stage in ScreeningStage.values},
            )
        )
        summary["screening_stages"] = [(stage, label) for stage, label in ScreeningStage.choices]
    else:
        summary["payroll_failed"] = (
            payroll_entry_list(actor=actor).filter(status=PayrollEntryStatus.FAILED).order_by().count()
        )
        summary["compliance_expiring"] = compliance_items_expiring(actor=actor, today=today).order_by().count()
    return summary


def home_page(
    *,
    actor: Actor,
    today: dt.date | None = None,
    present: Callable[[dict], object] | None = None,
    body: PageBody | None = None,
):
    """Everything the home page shows: the counts, the inbox, the two charts and the navigation's
    open-flag count, as a dict, or what `present(dict)` makes of it (the view renders it once);
    `body` (outstaff.pagecache) is the presentation's templates, whose digest the cache key holds.

    For a client's users it is cached under the client's data version (outstaff/dataversion.py):
    every table it reads (workers, check-ins, risk flags, assignments, teams and their managers,
    screenings, candidates, screening templates, scorecards, the organization itself) bumps the
    client's version when a write to one of its rows commits, whatever the path, and the version is
    read before anything is computed, so a committed write is never followed by the old page. The
    key names the user and role (a hiring manager's scope and the inbox's scorecards are theirs),
    today, the time zone and the rules' wording. A provider's home also counts payroll and
    compliance, which do not bump versions: it is computed on each request."""
    today = today or timezone.localdate()

    def compute():
        data = {
            "summary": dashboard_summary(actor=actor, today=today),
            "inbox": inbox_items(actor=actor, today=today),
            "charts": [open_flags_by_week(actor=actor, today=today), retention_trend(actor=actor, today=today)],
            "risk_open_count": risk_flag_open_count(actor=actor),
        }
        return present(data) if present else data

    if not actor.is_client or actor.user is None:
        return compute()
    scope = (actor.organization.id, actor.role, actor.user.pk, _rules_version())
    if body is None:  # the data itself, not its HTML
        return cached(
            "dashboard.home",
            tenant_ids=[actor.organization.id],
            scope=(*scope, today.isoformat(), timezone.get_current_timezone_name()),
            compute=compute,
        )
    return body.cached(tenant_ids=[actor.organization.id], scope=scope, compute=compute, today=today)


_rules_version = rules_wording_version  # the inbox quotes the rules
