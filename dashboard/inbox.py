"""My inbox (issue 11, point 4): what needs this user now, due soonest first, each one click from
the place to act. Composed from every domain app's scoped selectors — a fixed handful of queries,
each capped, so the home page costs the same for 50 workers or 5,000."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor
from providers.choices import PayrollEntryStatus
from providers.selectors import compliance_items_expiring, payroll_entry_list
from risks.choices import FlagStatus
from risks.models import RiskFlag
from risks.rules import RULES
from risks.selectors import risk_flag_list
from screening.choices import ScreeningStage, ScreeningStatus
from screening.models import InterviewScorecard
from screening.selectors import screening_list
from workers.choices import WorkerStatus
from workers.selectors import check_in_list

UPCOMING_DAYS = 14
TENURE_WARNING_DAYS = 90
PER_KIND = 25  # each source is capped; the inbox links to the full list of each kind


@dataclass(frozen=True)
class InboxItem:
    due: dt.date
    kind: str  # what it is, in words: "Check-in", "Scorecard", ...
    title: str
    detail: str
    url: str
    tone: str = ""  # a badge class: "failed" when overdue

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days


def _parse_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def inbox_items(*, actor: Actor, today: dt.date | None = None) -> list[InboxItem]:
    today = today or timezone.localdate()
    items: list[InboxItem] = []
    if actor.is_client:
        items += _check_ins(actor, today)
        items += _screenings(actor, today)
    items += _flags(actor, today)
    if actor.is_provider:
        items += _compliance(actor, today)
        items += _payroll(actor, today)
    items.sort(key=lambda item: (item.due, item.kind, item.title))
    return items


def _worker_url(worker_id, anchor: str = "") -> str:
    return reverse("workers:detail", args=[worker_id]) + anchor


def _check_ins(actor: Actor, today: dt.date) -> list[InboxItem]:
    rows = (
        check_in_list(actor=actor)
        .filter(done_on__isnull=True, due_on__lte=today + dt.timedelta(days=UPCOMING_DAYS))
        .exclude(worker__status=WorkerStatus.OFFBOARDED)[:PER_KIND]
    )
    items = []
    for check_in in rows:
        overdue = check_in.due_on < today
        items.append(
            InboxItem(
                due=check_in.due_on,
                kind="Check-in",
                title=f"{check_in.get_kind_display()} check-in with {check_in.worker.full_name}",
                detail="overdue: hold it and record it" if overdue else "hold it and record the ratings",
                url=f"{_worker_url(check_in.worker_id)}?action=check-in#action-panel",
                tone="failed" if overdue else "",
            )
        )
    return items


def _screenings(actor: Actor, today: dt.date) -> list[InboxItem]:
    # The checklist prefetch of screening_list is not needed here (one query fewer, whatever the rows).
    open_ = screening_list(actor=actor).filter(status=ScreeningStatus.IN_PROGRESS).prefetch_related(None)
    items = []
    if actor.user is not None:
        mine = InterviewScorecard.objects.filter(
            screening_id=OuterRef("pk"), interviewer_id=actor.user.id, submitted_at__isnull=False
        )
        waiting = open_.filter(stage=ScreeningStage.INTERVIEW).exclude(Exists(mine))[:PER_KIND]
        for screening in waiting:
            items.append(
                InboxItem(
                    due=screening.created_at.date(),
                    kind="Scorecard",
                    title=f"Interview {screening.candidate} for {screening.template.role_title}",
                    detail="your scorecard is not in yet",
                    url=reverse("screening:detail", args=[screening.id]) + "#interview",
                )
            )
    for screening in open_.filter(stage=ScreeningStage.DECISION)[:PER_KIND]:
        items.append(
            InboxItem(
                due=screening.updated_at.date(),
                kind="Decision",
                title=f"Decide on {screening.candidate} ({screening.template.role_title})",
                detail="the screening is complete: pass or fail the candidate",
                url=reverse("screening:detail", args=[screening.id]) + "#decision",
            )
        )
    return items


def _flags(actor: Actor, today: dt.date) -> list[InboxItem]:
    items = []
    open_flags = risk_flag_list(actor=actor).filter(status=FlagStatus.OPEN)
    # The first few picked by id alone, then joined: joining worker, client, provider and assignment
    # to every open flag of a hiring manager's teams (3,400 at 100k workers) before keeping 25 took
    # 100 ms. One query still (a subquery), served by the risks_inbox_* indexes. The scope is the
    # subquery's: the outer query only fetches those ids (applying it twice cost another 60 ms).
    first = open_flags.order_by("first_seen_at", "id").values("id")[:PER_KIND]
    rows = (
        RiskFlag.objects.filter(id__in=Subquery(first))
        .select_related("worker", "client")
        .order_by("first_seen_at", "id")
    )
    for flag in rows:
        rule = RULES.get(flag.rule_code)
        title = rule.title if rule else "Risk flag"
        url = reverse("risks:flag-detail", args=[flag.id])
        cap_date = _parse_date((flag.evidence.get("facts") or {}).get("cap_date"))
        if flag.rule_code == "tenure_cap_approaching" and cap_date:
            items.append(
                InboxItem(
                    due=cap_date,
                    kind="Tenure cap",
                    title=f"{flag.worker.full_name} reaches the legal maximum with {flag.client.name}",
                    detail=f"plan the end of the placement before {cap_date.isoformat()}",
                    url=url,
                    tone="medium",
                )
            )
            continue
        items.append(
            InboxItem(
                due=flag.first_seen_at.date(),
                kind="Risk flag",
                title=f"{title}: {flag.worker.full_name}",
                detail=f"{flag.get_severity_display()}: "
                + (rule.next_step if rule else "acknowledge, resolve or dismiss it with a reason"),
                url=url,
                tone=flag.severity,
            )
        )
    return items


def _compliance(actor: Actor, today: dt.date) -> list[InboxItem]:
    items = []
    for item in compliance_items_expiring(actor=actor, today=today).select_related("worker")[:PER_KIND]:
        items.append(
            InboxItem(
                due=item.expires_on,
                kind="Compliance",
                title=f"{item.get_kind_display()} of {item.worker.full_name} expires",
                detail="collect the renewed document and verify it",
                url=reverse("providers:compliance-item", args=[item.id]),
                tone="failed" if item.expires_on < today else "",
            )
        )
    return items


def _payroll(actor: Actor, today: dt.date) -> list[InboxItem]:
    items = []
    failed = payroll_entry_list(actor=actor).filter(status=PayrollEntryStatus.FAILED).order_by("run__pay_date", "id")
    for entry in failed[:PER_KIND]:
        items.append(
            InboxItem(
                due=entry.run.pay_date,
                kind="Payroll",
                title=f"Payroll {entry.run.period_start:%B %Y} failed for {entry.worker.full_name}",
                detail=entry.failure_reason or "fix the cause and pay again",
                url=reverse("providers:entry", args=[entry.id]),
                tone="failed",
            )
        )
    return items
