"""90-day attrition signals (DESIGN §6) and the weighted score that combines them. The weights,
the threshold and the cut-offs live here, in one place, and the risk page shows them."""

import datetime as dt
from collections.abc import Iterator

from risks.choices import RiskCategory, Severity

from .base import Finding, rule
from .base import finding as _finding
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


@rule(
    code="checkin_overdue",
    category=CATEGORY,
    title="30/60/90-day check-in overdue",
    description=f"A day-30, 60 or 90 check-in is past its due date and not done (looked for until "
    f"{DAY_90_CHECKIN_GRACE_DAYS} days after day 90, so a late day-90 check-in is seen too).",
)
def checkin_overdue(facts: WorkerFacts, prior) -> Iterator[Finding]:
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
    days_in = facts.days_since_start
    label = kind.replace("day_", "day-")
    yield _finding(
        facts,
        "checkin_overdue",
        Severity.MEDIUM,
        f"{days_in} days in and the {label} check-in due {due.isoformat()} is not done"
        + ("" if scheduled else " (never scheduled)"),
        {"overdue": [{"kind": k, "due_on": d, "scheduled": s} for k, d, s in overdue]},
        [RESEARCH["early_turnover"]],
        observed={"days_since_start": days_in, "days_overdue": (facts.today - due).days},
    )


@rule(
    code="checkin_low_rating",
    category=CATEGORY,
    title="Low check-in rating",
    description=f"A check-in scored {LOW_RATING_AT_OR_BELOW} or less (of 5) on engagement, role clarity or the "
    "manager relationship.",
)
def checkin_low_rating(facts: WorkerFacts, prior) -> Iterator[Finding]:
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
    yield _finding(
        facts,
        "checkin_low_rating",
        Severity.MEDIUM,
        f"low check-in ratings: {words}",
        {"low_ratings": low, "threshold": LOW_RATING_AT_OR_BELOW},
        [RESEARCH["early_turnover"], RESEARCH["manager"]],
    )


@rule(
    code="first_payroll_failed",
    category=CATEGORY,
    title="First payroll failed or late",
    description="The worker's first payroll entry failed, or its pay date passed without payment.",
)
def first_payroll_failed(facts: WorkerFacts, prior) -> Iterator[Finding]:
    if not in_attrition_window(facts) or not facts.payroll_entries:
        return
    first = min(facts.payroll_entries, key=lambda e: (e.pay_date, str(e.id)))
    if first.status == "failed":
        summary = f"first payroll (pay date {first.pay_date.isoformat()}) failed: {first.failure_reason}"
    elif first.status != "paid" and first.pay_date < facts.today:
        summary = f"first payroll was due {first.pay_date.isoformat()} and is still {first.status.replace('_', ' ')}"
    else:
        return
    yield _finding(
        facts,
        "first_payroll_failed",
        Severity.HIGH,
        summary,
        {"payroll_entry_id": first.id, "status": first.status, "pay_date": first.pay_date},
        [RESEARCH["payroll"]],
        observed={"days_late": max((facts.today - first.pay_date).days, 0)},
    )


@rule(
    code="onboarding_incomplete",
    category=CATEGORY,
    title="Onboarding compliance items missing",
    description=f"Onboarding compliance items are still missing, rejected or expired {ONBOARDING_GRACE_DAYS} days "
    "after the start date.",
)
def onboarding_incomplete(facts: WorkerFacts, prior) -> Iterator[Finding]:
    if not in_attrition_window(facts) or facts.days_since_start is None:
        return
    if facts.days_since_start <= ONBOARDING_GRACE_DAYS:
        return
    open_items = sorted(
        f"{i.kind} ({i.status})" for i in facts.compliance_items if i.status in ONBOARDING_OPEN_STATUSES
    )
    if not open_items:
        return
    yield _finding(
        facts,
        "onboarding_incomplete",
        Severity.LOW,
        f"{facts.days_since_start} days after start, onboarding items still open: "
        + ", ".join(
            f"{i.kind.replace('_', ' ')} ({i.status})"
            for i in sorted(facts.compliance_items, key=lambda i: i.kind)
            if i.status in ONBOARDING_OPEN_STATUSES
        ),
        {"open_items": open_items, "grace_days": ONBOARDING_GRACE_DAYS},
        [RESEARCH["early_turnover"]],
        observed={"days_since_start": facts.days_since_start},
    )


@rule(
    code="no_directing_manager",
    category=CATEGORY,
    title="No active assignment or directing manager",
    description="A new worker has no active assignment, or the assignment names no directing manager.",
)
def no_directing_manager(facts: WorkerFacts, prior) -> Iterator[Finding]:
    if not in_attrition_window(facts) or facts.worker.start_date is None or facts.worker.start_date > facts.today:
        return
    active = facts.active_assignments
    if not active:
        summary, details = "started without an active assignment", {"active_assignment": False}
    elif all(a.manager_id is None for a in active):
        summary = f"assignment with {active[0].client_name} ({active[0].role}) names no directing manager"
        details = {"active_assignment": True, "manager": None, "team": active[0].team_name}
    else:
        return
    yield _finding(facts, "no_directing_manager", Severity.MEDIUM, summary, details, [RESEARCH["manager"]])


@rule(
    code="screening_override",
    category=CATEGORY,
    title="Screening passed by override or with a low composite",
    description=f"The onboarding gate was overridden, or the screening passed with a composite below "
    f"{LOW_COMPOSITE_SCORE} (or below its template's pass threshold).",
)
def screening_override(facts: WorkerFacts, prior) -> Iterator[Finding]:
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
    if not reasons:
        return
    yield _finding(facts, "screening_override", Severity.MEDIUM, "; ".join(reasons), details, [RESEARCH["screening"]])


@rule(
    code="attrition_risk_high",
    category=CATEGORY,
    title="High 90-day attrition risk",
    description=f"The weighted attrition signals add up to {ATTRITION_THRESHOLD} or more "
    f"(weights: {', '.join(f'{k} {v}' for k, v in ATTRITION_WEIGHTS.items())}).",
)
def attrition_risk_high(facts: WorkerFacts, prior) -> Iterator[Finding]:
    if not in_attrition_window(facts):
        return
    signals = sorted({f.rule_code for f in prior if f.rule_code in ATTRITION_WEIGHTS})
    score = sum(ATTRITION_WEIGHTS[code] for code in signals)
    if score < ATTRITION_THRESHOLD:
        return
    parts = ", ".join(f"{SIGNAL_WORDS[code]} (+{ATTRITION_WEIGHTS[code]})" for code in signals)
    yield _finding(
        facts,
        "attrition_risk_high",
        Severity.HIGH,
        f"attrition score {score} reaches the threshold {ATTRITION_THRESHOLD}: {parts}",
        {"score": score, "threshold": ATTRITION_THRESHOLD, "signals": {c: ATTRITION_WEIGHTS[c] for c in signals}},
        [RESEARCH["early_turnover"]],
    )
