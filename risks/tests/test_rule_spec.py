"""Rules are declared one way (risks.rules.base.Rule): a predicate that yields matches, and the
finding's severity, summary, evidence fields and pack sources as data. A new country's rule is a
few declarative lines; these tests state one and check what the machinery builds from it."""

import datetime as dt

from risks.choices import RiskCategory, Severity
from risks.rules import RULES, Rule, evaluate_rules

from .builders import assignment, facts, worker


def _long_hours(worker_facts, prior):
    for each in worker_facts.active_assignments:
        if each.weekly_hours > 48:
            yield {
                "assignment": each,
                "contract": None,
                "over": each.weekly_hours - 48,
                "days": (worker_facts.today - each.starts_on).days,
            }


LONG_HOURS = Rule(
    code="example_long_hours",
    category=RiskCategory.MISCLASSIFICATION,
    title="Over 48 hours a week",
    description="An example rule declared in a test.",
    reads=("active_assignments.weekly_hours",),
    match=_long_hours,
    severity=lambda m: Severity.HIGH if m["over"] >= 10 else Severity.MEDIUM,
    summary="{assignment.client_name} plans {assignment.weekly_hours} h/week since {assignment.starts_on} "
    "in {pack.name}",
    evidence={
        "client": "assignment.client_name",
        "weekly_hours": "assignment.weekly_hours",
        "contract_id": "contract.id",
    },
    observed={"days_on_assignment": "days"},
    sources=("pack.written_contract_source", "pack.contractor_control_tests"),
    cites=("Working Time Directive 2003/88/EC art. 6",),
)


def _with_hours(hours, today=dt.date(2026, 6, 1)):
    w = worker()
    return facts(today=today, worker_fact=w, assignments=[assignment(w, weekly_hours=hours)])


def test_a_declared_rule_builds_its_finding_from_the_declaration():
    worker_facts = _with_hours(60)
    (finding,) = LONG_HOURS.evaluate(worker_facts, [])
    pack = worker_facts.jurisdiction
    assert finding.rule_code == "example_long_hours"
    assert finding.severity == Severity.HIGH
    assert finding.summary == "Acme plans 60 h/week since 2026-02-01 in Germany"
    # Paths into the namespace; a path through a missing value is None, not an error.
    assert finding.facts == {"client": "Acme", "weekly_hours": 60, "contract_id": None}
    assert finding.observed == {"days_on_assignment": 120}
    assert finding.sources == (pack.written_contract_source, *pack.contractor_control_tests, LONG_HOURS.cites[0])
    assert finding.assignment_id == worker_facts.active_assignments[0].id
    assert finding.jurisdiction == pack.reference  # a misclassification finding names its pack


def test_the_predicate_decides_and_the_severity_may_depend_on_the_match():
    assert list(LONG_HOURS.evaluate(_with_hours(48), [])) == []
    (finding,) = LONG_HOURS.evaluate(_with_hours(50), [])
    assert finding.severity == Severity.MEDIUM


def test_observed_numbers_move_without_moving_the_evidence_hash():
    first = next(LONG_HOURS.evaluate(_with_hours(60, dt.date(2026, 6, 1)), []))
    second = next(LONG_HOURS.evaluate(_with_hours(60, dt.date(2026, 6, 2)), []))
    assert first.observed != second.observed
    assert first.evidence_hash != "" and first.facts == second.facts


def test_a_path_to_a_name_the_match_never_gave_is_an_error_not_a_silent_none():
    broken = Rule(**{**LONG_HOURS.__dict__, "evidence": {"manager": "nobody.name"}})
    try:
        list(broken.evaluate(_with_hours(60), []))
    except KeyError as error:
        assert "nobody" in str(error)
    else:
        raise AssertionError("a misspelt path went unnoticed")


def test_every_shipped_rule_is_declared_and_says_what_it_reads():
    assert RULES, "no rules registered"
    for code, rule in RULES.items():
        assert isinstance(rule, Rule) and rule.code == code
        assert rule.reads, f"{code} does not say which facts it reads"
        assert rule.sources or rule.cites, f"{code} cites no source"


def test_registered_rules_run_in_declaration_order_on_a_healthy_worker():
    assert evaluate_rules(facts()) == []
