"""Each 90-day attrition signal's firing and non-firing case, and the weighted score."""

import datetime as dt
import uuid
from dataclasses import replace
from decimal import Decimal

from risks.rules import RULES, evaluate_rules
from risks.rules.attrition import ATTRITION_THRESHOLD, ATTRITION_WEIGHTS, SIGNAL_WORDS
from risks.rules.facts import CheckInFact, ComplianceItemFact, PayrollEntryFact, ScreeningFact

from .builders import TODAY, assignment, new_worker_facts, worker


def fired(code, worker_facts, prior=()):
    return list(RULES[code].evaluate(worker_facts, list(prior)))


def test_new_worker_with_everything_done_has_no_attrition_findings():
    assert [f for f in evaluate_rules(new_worker_facts(35)) if f.category == "attrition"] == []


def test_checkin_overdue_fires_when_day_30_never_scheduled():
    (finding,) = fired("checkin_overdue", new_worker_facts(35, check_ins=()))
    assert finding.summary.startswith("35 days in and the day-30 check-in due")
    assert "never scheduled" in finding.summary
    assert finding.observed["days_overdue"] == 5


def test_checkin_overdue_fires_for_scheduled_but_not_done():
    start = TODAY - dt.timedelta(days=40)
    pending = CheckInFact(kind="day_30", due_on=start + dt.timedelta(days=30), done_on=None)
    (finding,) = fired("checkin_overdue", new_worker_facts(40, check_ins=(pending,)))
    assert "never scheduled" not in finding.summary


def test_checkin_not_yet_due_or_outside_90_days_does_not_fire():
    assert fired("checkin_overdue", new_worker_facts(20, check_ins=())) == []
    assert fired("checkin_overdue", new_worker_facts(120, check_ins=())) == []


def test_a_late_day_90_check_in_is_flagged_after_day_90_but_not_in_the_score():
    """The day-90 check-in is due on day 90, so it can only be overdue from day 91: the rule must
    still look then (for two weeks), while the 90-day score stays inside the first 90 days."""
    start = TODAY - dt.timedelta(days=95)
    done = tuple(
        CheckInFact(kind=k, due_on=start + dt.timedelta(days=d), done_on=start + dt.timedelta(days=d))
        for k, d in (("day_30", 30), ("day_60", 60))
    )
    pending = CheckInFact(kind="day_90", due_on=start + dt.timedelta(days=90), done_on=None)
    (finding,) = fired("checkin_overdue", new_worker_facts(95, check_ins=(*done, pending)))
    assert "day-90 check-in" in finding.summary and finding.observed["days_overdue"] == 5
    assert fired("checkin_overdue", new_worker_facts(105, check_ins=(*done, pending))) == []
    every_signal = [replace(finding, rule_code=code) for code in ATTRITION_WEIGHTS]
    assert fired("attrition_risk_high", new_worker_facts(95), every_signal) == []


def test_checkin_low_rating_fires_at_two_or_less():
    done = CheckInFact(kind="day_30", due_on=TODAY, done_on=TODAY, ratings={"engagement": 4, "role_clarity": 2})
    (finding,) = fired("checkin_low_rating", new_worker_facts(35, check_ins=(done,)))
    assert finding.summary == "low check-in ratings: role clarity 2/5 (day-30 check-in)"
    fine = CheckInFact(kind="day_30", due_on=TODAY, done_on=TODAY, ratings={"engagement": 3, "role_clarity": 3})
    assert fired("checkin_low_rating", new_worker_facts(35, check_ins=(fine,))) == []


def test_first_payroll_failed_or_late_fires():
    failed = PayrollEntryFact(
        id=uuid.uuid4(), status="failed", pay_date=TODAY - dt.timedelta(days=3), failure_reason="IBAN rejected"
    )
    (finding,) = fired("first_payroll_failed", new_worker_facts(35, payroll_entries=(failed,)))
    assert "failed: IBAN rejected" in finding.summary and finding.severity == "high"
    late = PayrollEntryFact(id=uuid.uuid4(), status="processing", pay_date=TODAY - dt.timedelta(days=2))
    (finding,) = fired("first_payroll_failed", new_worker_facts(35, payroll_entries=(late,)))
    assert "still processing" in finding.summary


def test_first_payroll_paid_or_not_due_does_not_fire():
    paid = PayrollEntryFact(id=uuid.uuid4(), status="paid", pay_date=TODAY - dt.timedelta(days=3))
    later_failed = PayrollEntryFact(id=uuid.uuid4(), status="failed", pay_date=TODAY, failure_reason="x")
    assert fired("first_payroll_failed", new_worker_facts(35, payroll_entries=(paid, later_failed))) == []
    scheduled = PayrollEntryFact(id=uuid.uuid4(), status="scheduled", pay_date=TODAY + dt.timedelta(days=5))
    assert fired("first_payroll_failed", new_worker_facts(35, payroll_entries=(scheduled,))) == []


def test_onboarding_items_missing_after_14_days_fires():
    items = (
        ComplianceItemFact(kind="tax_registration", status="missing"),
        ComplianceItemFact(kind="right_to_work", status="verified"),
    )
    (finding,) = fired("onboarding_incomplete", new_worker_facts(20, compliance_items=items))
    assert finding.facts["open_items"] == ["tax_registration (missing)"]
    assert finding.summary == "20 days after start, onboarding items still open: tax registration (missing)"
    assert fired("onboarding_incomplete", new_worker_facts(10, compliance_items=items)) == []
    done = (ComplianceItemFact(kind="tax_registration", status="verified"),)
    assert fired("onboarding_incomplete", new_worker_facts(20, compliance_items=done)) == []


def test_no_directing_manager_fires_without_assignment_or_manager():
    base = new_worker_facts(35)
    (finding,) = fired("no_directing_manager", replace(base, assignments=()))
    assert finding.summary == "started without an active assignment"
    managerless = assignment(base.worker, starts_on=base.worker.start_date, manager_id=None, manager_name="")
    (finding,) = fired("no_directing_manager", replace(base, assignments=(managerless,)))
    assert "names no directing manager" in finding.summary
    assert fired("no_directing_manager", base) == []


def test_screening_override_fires_on_gate_override_and_low_composite():
    base = new_worker_facts(35)
    overridden = replace(base, worker=replace(base.worker, gate_override_reason="urgent project"))
    (finding,) = fired("screening_override", overridden)
    assert "onboarding gate overridden: “urgent project”" in finding.summary
    low = ScreeningFact(
        id=uuid.uuid4(),
        status="passed",
        composite_score=Decimal("52"),
        pass_threshold=Decimal("50"),
        override_reason="",
        decided_at=None,
    )
    (finding,) = fired("screening_override", replace(base, screenings=(low,)))
    assert "composite of 52 (below 60)" in finding.summary


def test_screening_passed_well_does_not_fire():
    assert fired("screening_override", new_worker_facts(35)) == []


def test_attrition_score_combines_weighted_signals():
    base = new_worker_facts(35, check_ins=(), assignments=())
    findings = evaluate_rules(base)
    (score,) = [f for f in findings if f.rule_code == "attrition_risk_high"]
    expected = ATTRITION_WEIGHTS["checkin_overdue"] + ATTRITION_WEIGHTS["no_directing_manager"]
    assert expected >= ATTRITION_THRESHOLD
    assert score.facts["score"] == expected
    assert set(score.facts["signals"]) == {"checkin_overdue", "no_directing_manager"}
    assert set(SIGNAL_WORDS) == set(ATTRITION_WEIGHTS)  # every weighted signal reads in words
    assert score.summary == (
        "attrition score 4 reaches the threshold 4: check-in overdue (+2), no directing manager (+2)"
    )


def test_attrition_score_below_threshold_does_not_fire():
    only_overdue = evaluate_rules(new_worker_facts(35, check_ins=()))
    assert "checkin_overdue" in {f.rule_code for f in only_overdue}
    assert "attrition_risk_high" not in {f.rule_code for f in only_overdue}


def test_offboarded_worker_gets_no_attrition_signals():
    base = new_worker_facts(35, check_ins=())
    gone = replace(base, worker=replace(base.worker, status="offboarded", exit_date=TODAY - dt.timedelta(days=1)))
    assert [f for f in evaluate_rules(gone) if f.category == "attrition"] == []
    assert worker().status == "active"
