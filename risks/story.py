"""Risks' part of the worker page's story (workers/story.py): the open flags with their severity, the
flags on the timeline, and a countdown to each tenure cap that applies to the worker's current
placements — shown from the first day, not only once a flag opens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from accounts.actors import Actor
from workers.models import Worker
from workers.story import StoryEvent, StoryFact, StoryPart

from .choices import FlagStatus
from .rules import RULES
from .rules.misclassification import _person_periods
from .rules.tenure import consecutive_tenure, rolling_window_tenure
from .selectors import risk_flag_list
from .services.scan_data import load_worker_facts, worker_rows

CURRENT = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)


@dataclass(frozen=True)
class TenureCountdown:
    client_name: str
    country: str
    max_months: int
    cap_date: dt.date
    days_left: int
    source: str


def worker_tenure_countdowns(*, worker: Worker, today: dt.date) -> list[TenureCountdown]:
    """For each current placement in a country with a tenure cap, the day the cap is reached if the
    placement goes on without a break, counted the way the scan counts it (across providers and
    earlier placements with the same client). Empty where no cap applies."""
    facts_list = load_worker_facts(worker_rows(Worker.objects.filter(pk=worker.pk)), today=today)
    if not facts_list:
        return []
    facts = facts_list[0]
    cap = facts.jurisdiction.tenure_cap
    if cap is None or facts.is_offboarded:
        return []
    countdowns, seen = [], set()
    for assignment in facts.active_assignments:
        if assignment.client_id in seen:
            continue
        seen.add(assignment.client_id)
        periods, _rows = _person_periods(facts, assignment.client_id)
        if cap.method == "consecutive_with_gap_reset":
            tenure = consecutive_tenure(
                periods, today=today, max_months=cap.max_months, reset_after_gap_months=cap.reset_after_gap_months
            )
        elif cap.method == "rolling_window":
            tenure = rolling_window_tenure(
                periods,
                today=today,
                max_months=cap.max_months,
                window_months=cap.window_months,
                horizon_days=max(cap.warn_days_before, 3 * 366),
            )
        else:  # the other countries' cap shapes show through their flags only, for now
            continue
        if tenure is None or tenure.cap_date is None:
            continue
        countdowns.append(
            TenureCountdown(
                client_name=assignment.client_name,
                country=facts.jurisdiction.name,
                max_months=cap.max_months,
                cap_date=tenure.cap_date,
                days_left=(tenure.cap_date - today).days,
                source=cap.source,
            )
        )
    return countdowns


def risk_story_part(*, actor: Actor, worker: Worker, today: dt.date) -> StoryPart:
    part = StoryPart()
    flags = list(risk_flag_list(actor=actor).filter(worker_id=worker.id).order_by("first_seen_at", "id"))
    for flag in flags:
        flag.rule = RULES.get(flag.rule_code)
    current = [flag for flag in flags if flag.status in CURRENT]
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    current.sort(key=lambda flag: (rank.get(flag.severity, 9), flag.first_seen_at))
    part.context["open_flags"] = current
    for flag in flags:
        title = flag.rule.title if flag.rule else "Risk flag"
        url = reverse("risks:flag-detail", args=[flag.id])
        part.events.append(
            StoryEvent(
                flag.first_seen_at.date(),
                "flag",
                f"Flag raised: {title}",
                f"{flag.get_severity_display()} · {flag.get_category_display()}",
                url=url,
                tone=flag.severity,
            )
        )
        if flag.resolved_at:
            part.events.append(StoryEvent(flag.resolved_at.date(), "flag", f"Flag resolved: {title}", url=url))
    if not current:
        part.facts.append(StoryFact("Open risk flags", "none"))
    for countdown in worker_tenure_countdowns(worker=worker, today=today):
        if countdown.days_left > 0:
            value = (
                f"{countdown.days_left} days left: {countdown.country}'s {countdown.max_months}-month cap "
                f"is reached on {countdown.cap_date.isoformat()}"
            )
            tone = "medium" if countdown.days_left <= 90 else ""
        else:
            value = (
                f"past {countdown.country}'s {countdown.max_months}-month cap since {countdown.cap_date.isoformat()}"
            )
            tone = "high"
        part.facts.append(StoryFact(f"Tenure cap with {countdown.client_name}", value, tone=tone))
        part.events.append(
            StoryEvent(countdown.cap_date, "flag", f"Tenure cap with {countdown.client_name} reached", tone=tone)
        )
    return part
