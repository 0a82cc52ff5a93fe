"""90-day attrition signals (DESIGN §6) and the weighted score that combines them. The weights,
the threshold and the cut-offs live here, in one place, and the risk page shows them. Each rule is
declared like the misclassification rules (risks.rules.base.Rule): a matcher and its finding as data."""

import datetime as dt
from collections.abc import Iterator

from risks.choices import RiskCategory, Severity

from .base import declare
from .facts import WorkerFacts

CATEGORY = RiskCategory.ATTRITION

ATTRITION_WINDOW_DAYS = 90
CHECKIN_MILESTONES = {"day_30": 30, "day_60": 60, "day_90": 90}
LOW_RATING_AT_OR_BELOW = 2  # on the 1–5 check-in scales
ONBOARDING_GRACE_DAYS = 14
# The day-90 check-in falls due on the window's last day, so it can only be late after the window:
# checkin_overdue keeps looking this many days past day 90 (the score does not).
DAY_90_CHECKIN_GRACE_DAYS = 14
LOW_COMPOSITE_SCORE = 60  # a screening composite (0–100) below this is a weak pass
ONBOARDING_OPEN_STATUSES = ("missing", "rejected", "expired")

# The weighted score: each signal that fires adds its weight; `attrition_risk_high` fires at the threshold.
ATTRITION_WEIGHTS = {
    "checkin_overdue": 2,
    "checkin_low_rating": 3,
    "first_payroll_failed": 3,
    "onboarding_incomplete": 1,
    "no_directing_manager": 2,
    "screening_override": 2,
}
ATTRITION_THRESHOLD = 4
# How each signal reads in the score's summary.
SIGNAL_WORDS = {
    "checkin_overdue": "check-in overdue",
    "checkin_low_rating": "low check-in rating",
    "first_payroll_failed": "first payroll failed or late",
    "onboarding_incomplete": "onboarding items missing",
    "no_directing_manager": "no directing manager",
    "screening_override": "weak or overridden screening",
}

RESEARCH = {
    "early_turnover": "Bauer, T. N. (2010), Onboarding New Employees: Maximizing Success, SHRM Foundation: much "
    "voluntary turnover happens in the first months; structured onboarding and early check-ins reduce it",
    "manager": "Gallup (2015), State of the American Manager: managers account for at least 70% of the variance "
    "in employee engagement",
    "payroll": "The Workforce Institute at Kronos (2017), payroll survey: 49% of US workers would look for a new "
    "job after two problems with their pay",
    "screening": "Schmidt & Hunter (1998); Sackett et al. (2022): a weak or overridden selection decision "
    "predicts lower job performance, a driver of early exits",
}


def _checkin_label(kind: str) -> str:
    """ "day_60" → "day-60 check-in", "ad_hoc" → "ad hoc check-in"."""
    return f"{kind.replace('day_', 'day-').replace('_', ' ')} check-in"


def in_attrition_window(facts: WorkerFacts) -> bool:
    """Inside the first 90 days (or not started yet) and not offboarded."""
    if facts.is_offboarded:
        return False
    days = facts.days_since_start
    return days is None or days <= ATTRITION_WINDOW_DAYS


@declare(
    code="checkin_overdue",
    category=CATEGORY,
    title="30/60/90-day check-in overdue",
    description=f"A day-30, 60 or 90 check-in is past its due date and not done (looked for until "
    f"{DAY_90_CHECKIN_GRACE_DAYS} days after day 90, so a late day-90 check-in is seen too).",
    reads=("worker.start_date", "check_ins"),
    applies_to=lambda facts: (
        not facts.is_offboarded
        and facts.worker.start_date is not None
        and facts.days_since_start <= ATTRITION_WINDOW_DAYS + DAY_90_CHECKIN_GRACE_DAYS
    ),
    severity=Severity.MEDIUM,
    summary="{days_in} days in and the {label} check-in due {due} is not done{never}",
    evidence={"overdue": "overdue"},
    observed={"days_since_start": "days_in", "days_overdue": "days_overdue"},
    cites=(RESEARCH["early_turnover"],),
    next_step="Hold the overdue check-in with the worker and record it on the worker page.",
)
def checkin_overdue(facts: WorkerFacts, prior) -> Iterator[dict]:
    if facts.is_offboarded or facts.worker.start_date is None:
        return
    if facts.days_since_start > ATTRITION_WINDOW_DAYS + DAY_90_CHECKIN_GRACE_DAYS:
        return
    by_kind = {c.kind: c for c in facts.check_ins}
    overdue = []
    for kind, offset in CHECKIN_MILESTONES.items():
        check_in = by_kind.get(kind)
        due = check_in.due_on if check_in else facts.worker.start_date + dt.timedelta(days=offset)
        if due < facts.today and (check_in is None or check_in.done_on is None):
            overdue.append((kind, due, check_in is not None))
    if not overdue:
        return
    kind, due, scheduled = overdue[0]
    yield {
        "overdue": [{"kind": k, "due_on": d, "scheduled": s} for k, d, s in overdue],
        "days_in": facts.days_since_start,
        "days_overdue": (facts.today - due).days,
        "label": kind.replace("day_", "day-"),
        "due": due,
        "never": "" if scheduled else " (never scheduled)",
    }


@declare(
    code="checkin_low_rating",
    category=CATEGORY,
    title="Low check-in rating",
    description=f"A check-in scored {LOW_RATING_AT_OR_BELOW} or less (of 5) on engagement, role clarity or the "
    "manager relationship.",
    reads=("check_ins",),
    applies_to=in_attrition_window,
    severity=Severity.MEDIUM,
    summary="low check-in ratings: {words}",
    evidence={"low_ratings": "low", "threshold": "threshold"},
    cites=(RESEARCH["early_turnover"], RESEARCH["manager"]),
    next_step="Talk with the worker and their directing manager about what scored low, and agree a follow-up check-in.",
)
def checkin_low_rating(facts: WorkerFacts, prior) -> Iterator[dict]:
    if not in_attrition_window(facts):
        return
    low = []
    for check_in in sorted(facts.check_ins, key=lambda c: c.due_on):
        for name, value in check_in.ratings.items():
            if check_in.done_on and value is not None and value <= LOW_RATING_AT_OR_BELOW:
                low.append({"kind": check_in.kind, "done_on": check_in.done_on, "rating": name, "value": value})
    if not low:
        return
    words = ", ".join(
        f"{item['rating'].replace('_', ' ')} {item['value']}/5 ({_checkin_label(item['kind'])})" for item in low
    )
    yield {"low": low, "words": words, "threshold": LOW_RATING_AT_OR_BELOW}


@declare(
    code="first_payroll_failed",
    category=CATEGORY,
    title="First payroll failed or late",
    description="The worker's first payroll entry failed, or its pay date passed without payment.",
    reads=("payroll_entries",),
    applies_to=in_attrition_window,
    severity=Severity.HIGH,
    summary="{text}",
    evidence={"payroll_entry_id": "first.id", "status": "first.status", "pay_date": "first.pay_date"},
    observed={"days_late": "days_late"},
    cites=(RESEARCH["payroll"],),
    next_step="Ask the provider to fix and pay the failed or late first payroll entry, then tell the worker "
    "when the money arrives.",
)
def first_payroll_failed(facts: WorkerFacts, prior) -> Iterator[dict]:
    if not in_attrition_window(facts) or not facts.payroll_entries:
        return
    first = min(facts.payroll_entries, key=lambda e: (e.pay_date, str(e.id)))
    if first.status == "failed":
        text = f"first payroll (pay date {first.pay_date.isoformat()}) failed: {first.failure_reason}"
    elif first.status != "paid" and first.pay_date < facts.today:
        text = f"first payroll was due {first.pay_date.isoformat()} and is still {first.status.replace('_', ' ')}"
    else:
        return
    yield {"first": first, "text": text, "days_late": max((facts.today - first.pay_date).days, 0)}


@declare(
    code="onboarding_incomplete",
    category=CATEGORY,
    title="Onboarding compliance items missing",
    description=f"Onboarding compliance items are still missing, rejected or expired {ONBOARDING_GRACE_DAYS} days "
    "after the start date.",
    reads=("worker.start_date", "compliance_items"),
    applies_to=lambda facts: (
        in_attrition_window(facts)
        and facts.days_since_start is not None
        and facts.days_since_start > ONBOARDING_GRACE_DAYS
    ),
    severity=Severity.LOW,
    summary="{days_in} days after start, onboarding items still open: {words}",
    evidence={"open_items": "open_items", "grace_days": "grace_days"},
    observed={"days_since_start": "days_in"},
    cites=(RESEARCH["early_turnover"],),
    next_step="Ask the provider to collect the missing onboarding documents and record them on the compliance page.",
)
def onboarding_incomplete(facts: WorkerFacts, prior) -> Iterator[dict]:
    if not in_attrition_window(facts) or facts.days_since_start is None:
        return
    if facts.days_since_start <= ONBOARDING_GRACE_DAYS:
        return
    open_items = sorted(
        f"{i.kind} ({i.status})" for i in facts.compliance_items if i.status in ONBOARDING_OPEN_STATUSES
    )
    if not open_items:
        return
    words = ", ".join(
        f"{i.kind.replace('_', ' ')} ({i.status})"
        for i in sorted(facts.compliance_items, key=lambda i: i.kind)
        if i.status in ONBOARDING_OPEN_STATUSES
    )
    yield {
        "open_items": open_items,
        "words": words,
        "days_in": facts.days_since_start,
        "grace_days": ONBOARDING_GRACE_DAYS,
    }


@declare(
    code="no_directing_manager",
    category=CATEGORY,
    title="No active assignment or directing manager",
    description="A new worker has no active assignment, or the assignment names no directing manager.",
    reads=("worker.start_date", "active_assignments.manager_id"),
    applies_to=lambda facts: (
        in_attrition_window(facts) and facts.worker.start_date is not None and facts.worker.start_date <= facts.today
    ),
    severity=Severity.MEDIUM,
    summary="{text}",
    evidence="details",
    cites=(RESEARCH["manager"],),
    next_step="Assign the worker to a team and name the manager who directs their work.",
)
def no_directing_manager(facts: WorkerFacts, prior) -> Iterator[dict]:
    if not in_attrition_window(facts) or facts.worker.start_date is None or facts.worker.start_date > facts.today:
        return
    active = facts.active_assignments
    if not active:
        yield {"text": "started without an active assignment", "details": {"active_assignment": False}}
    elif all(a.manager_id is None for a in active):
        yield {
            "text": f"assignment with {active[0].client_name} ({active[0].role}) names no directing manager",
            "details": {"active_assignment": True, "manager": None, "team": active[0].team_name},
        }


@declare(
    code="screening_override",
    category=CATEGORY,
    title="Screening passed by override or with a low composite",
    description=f"The onboarding gate was overridden, or the screening passed with a composite below "
    f"{LOW_COMPOSITE_SCORE} (or below its template's pass threshold).",
    reads=("worker.gate_override_reason", "screenings"),
    applies_to=in_attrition_window,
    severity=Severity.MEDIUM,
    summary="{text}",
    evidence="details",
    cites=(RESEARCH["screening"],),
    next_step="Plan closer check-ins for this worker: the screening did not clearly show the fit.",
)
def screening_override(facts: WorkerFacts, prior) -> Iterator[dict]:
    if not in_attrition_window(facts):
        return
    reasons, details = [], {}
    if facts.worker.gate_override_reason:
        reasons.append(f"onboarding gate overridden: “{facts.worker.gate_override_reason}”")
        details["gate_override_reason"] = facts.worker.gate_override_reason
    passed = [s for s in facts.screenings if s.status == "passed"]
    if passed:
        latest = max(passed, key=lambda s: (s.decided_at is not None, s.decided_at or dt.datetime.min, str(s.id)))
        if latest.override_reason:
            reasons.append(f"screening passed by override: “{latest.override_reason}”")
            details["screening_override_reason"] = latest.override_reason
        score = latest.composite_score
        floor = max(LOW_COMPOSITE_SCORE, float(latest.pass_threshold or 0))
        if score is not None and float(score) < floor:
            reasons.append(f"screening passed with a composite of {score:g} (below {floor:g})")
            details["composite_score"] = score
            details["low_composite_below"] = floor
        if reasons:
            details["screening_id"] = latest.id
    if reasons:
        yield {"text": "; ".join(reasons), "details": details}


@declare(
    code="attrition_risk_high",
    category=CATEGORY,
    title="High 90-day attrition risk",
    description=f"The weighted attrition signals add up to {ATTRITION_THRESHOLD} or more "
    f"(weights: {', '.join(f'{k} {v}' for k, v in ATTRITION_WEIGHTS.items())}).",
    reads=("prior",),  # the findings of the signals above
    applies_to=in_attrition_window,
    severity=Severity.HIGH,
    summary="attrition score {score} reaches the threshold {threshold}: {parts}",
    evidence={"score": "score", "threshold": "threshold", "signals": "signals"},
    cites=(RESEARCH["early_turnover"],),
    next_step="Work through the signals listed here with the directing manager this week; each one resolved "
    "lowers the score.",
)
def attrition_risk_high(facts: WorkerFacts, prior) -> Iterator[dict]:
    if not in_attrition_window(facts):
        return
    signals = sorted({f.rule_code for f in prior if f.rule_code in ATTRITION_WEIGHTS})
    score = sum(ATTRITION_WEIGHTS[code] for code in signals)
    if score < ATTRITION_THRESHOLD:
        return
    yield {
        "score": score,
        "threshold": ATTRITION_THRESHOLD,
        "signals": {c: ATTRITION_WEIGHTS[c] for c in signals},
        "parts": ", ".join(f"{SIGNAL_WORDS[code]} (+{ATTRITION_WEIGHTS[code]})" for code in signals),
    }
