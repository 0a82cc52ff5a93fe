"""Each misclassification rule's firing and non-firing case, on in-memory facts."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from risks.rules import RULES, evaluate_rules

from .builders import TODAY, assignment, contract, entity, facts, worker


def fired(code, worker_facts):
    return list(RULES[code].evaluate(worker_facts, []))


def test_healthy_german_worker_has_no_findings():
    assert evaluate_rules(facts()) == []


# --- contractor_full_time_direction ----------------------------------------------------------------
def test_contractor_at_full_time_hours_directed_by_client_fires_with_evidence():
    f = facts(
        worker_fact=worker(country="US"),
        contracts=(contract(contract_type="contractor"),),
        legal_entities=(entity(country="US"),),
    )
    (finding,) = fired("contractor_full_time_direction", f)
    assert finding.severity == "high"
    assert finding.facts["weekly_hours"] == Decimal("40")
    assert "contractor working 40 h/week directed by Acme since 2026-02-01 — IRS behavioural control" in finding.summary
    assert any("IRS" in s for s in finding.sources)
    assert finding.assignment_id == f.assignments[0].id
    assert finding.evidence["jurisdiction"]["code"] == "US"


def test_contractor_on_client_schedule_fires_even_part_time():
    w = worker()
    f = facts(
        worker_fact=w,
        assignments=[assignment(w, weekly_hours=Decimal("20"), schedule_set_by_client=True)],
        contracts=(contract(contract_type="contractor"),),
    )
    (finding,) = fired("contractor_full_time_direction", f)
    assert "on a schedule set by Acme" in finding.summary


def test_california_fires_on_any_client_direction_and_cites_abc_prong_a():
    w = worker(country="US", subdivision="US-CA")
    f = facts(
        worker_fact=w,
        assignments=[assignment(w, weekly_hours=Decimal("20"), schedule_set_by_client=True)],
        contracts=(contract(contract_type="contractor"),),
        legal_entities=(entity(country="US"),),
    )
    (finding,) = fired("contractor_full_time_direction", f)
    assert finding.summary.endswith("IRS behavioural control; California ABC prong A")
    part_time = replace(f, assignments=(assignment(w, weekly_hours=Decimal("20")),))
    assert fired("contractor_full_time_direction", part_time)  # prong A: any direction
    federal = replace(part_time, jurisdiction=facts(worker_fact=worker(country="US")).jurisdiction)
    assert fired("contractor_full_time_direction", federal) == []


def test_contractor_part_time_on_own_schedule_or_employee_does_not_fire():
    w = worker()
    part_time = facts(
        worker_fact=w,
        assignments=[assignment(w, weekly_hours=Decimal("20"))],
        contracts=(contract(contract_type="contractor"),),
    )
    assert fired("contractor_full_time_direction", part_time) == []
    assert fired("contractor_full_time_direction", facts()) == []
    vendor_directed = facts(
        worker_fact=w,
        assignments=[assignment(w, directed_by="provider")],
        contracts=(contract(contract_type="contractor"),),
    )
    assert fired("contractor_full_time_direction", vendor_directed) == []


# --- outsourcing_directed_individually -----------------------------------------------------------
def test_outsourcing_contract_with_client_direction_fires():
    (finding,) = fired(
        "outsourcing_directed_individually", facts(contracts=(contract(engagement_model="outsourcing"),))
    )
    assert "contract says outsourcing" in finding.summary and "Grace Hopper" in finding.summary
    assert "AÜG" in finding.sources[0]


def test_outsourcing_directed_by_vendor_does_not_fire():
    w = worker()
    f = facts(
        worker_fact=w,
        assignments=[assignment(w, directed_by="provider")],
        contracts=(contract(engagement_model="outsourcing"),),
    )
    assert fired("outsourcing_directed_individually", f) == []


# --- engagement_model_unspecified -----------------------------------------------------------------
def test_unspecified_engagement_model_fires_only_with_active_assignment():
    f = facts(contracts=(contract(engagement_model="unspecified"),))
    assert [x.rule_code for x in fired("engagement_model_unspecified", f)] == ["engagement_model_unspecified"]
    assert fired("engagement_model_unspecified", replace(f, assignments=())) == []
    assert fired("engagement_model_unspecified", facts()) == []


# --- employment_contract_missing --------------------------------------------------------------------
def test_no_contract_or_unsigned_contract_during_assignment_fires():
    (missing,) = fired("employment_contract_missing", facts(contracts=()))
    assert "no current contract" in missing.summary
    (unsigned,) = fired("employment_contract_missing", facts(contracts=(contract(signed_on=None),)))
    assert "not signed" in unsigned.summary


def test_contract_ended_counts_as_missing_and_signed_current_does_not_fire():
    ended = facts(contracts=(contract(ends_on=dt.date(2026, 3, 1)),))
    assert fired("employment_contract_missing", ended)
    assert fired("employment_contract_missing", facts()) == []
    assert fired("employment_contract_missing", facts(contracts=(), assignments=[])) == []


# --- no_legal_entity_in_country ----------------------------------------------------------------------
def test_no_active_entity_in_workers_country_fires():
    f = facts(legal_entities=(entity(country="PL"), entity(country="DE", is_active=False, name="Old GmbH")))
    (finding,) = fired("no_legal_entity_in_country", f)
    assert finding.severity == "critical" and "Old GmbH" in finding.summary
    assert fired("no_legal_entity_in_country", facts()) == []


# --- staffing_licence_missing ------------------------------------------------------------------------
def test_germany_requires_licence_missing_or_expired():
    (missing,) = fired("staffing_licence_missing", facts(legal_entities=(entity(staffing_licence_number=""),)))
    assert "is missing" in missing.summary and "AÜG §1(1)" in missing.sources[0]
    expired = facts(legal_entities=(entity(staffing_licence_expires_on=TODAY - dt.timedelta(days=1)),))
    (finding,) = fired("staffing_licence_missing", expired)
    assert "expired on 2026-05-31" in finding.summary


def test_licence_valid_or_not_required_does_not_fire():
    assert fired("staffing_licence_missing", facts()) == []
    gb = worker(country="GB")
    no_licence_gb = facts(worker_fact=gb, legal_entities=(entity(country="GB", staffing_licence_number=""),))
    assert fired("staffing_licence_missing", no_licence_gb) == []


# --- contractor_long_engagement ----------------------------------------------------------------------
def test_contractor_engaged_over_12_months_fires_with_short_breaks_bridged():
    w = worker(country="GB")
    earlier = assignment(w, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 8, 31), status="ended")
    current = assignment(w, starts_on=dt.date(2025, 9, 20))  # 19-day break: still continuous
    f = facts(
        worker_fact=w,
        assignments=[earlier, current],
        contracts=(contract(contract_type="contractor", weekly_hours=Decimal("20")),),
        legal_entities=(entity(country="GB"),),
    )
    (finding,) = fired("contractor_long_engagement", f)
    assert finding.facts["since"] == dt.date(2025, 1, 1) and finding.observed["months"] == 17


def test_contractor_after_long_break_or_employee_does_not_fire():
    w = worker(country="GB")
    earlier = assignment(w, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2025, 3, 31), status="ended")
    current = assignment(w, starts_on=dt.date(2025, 9, 1))  # five-month break; current 9 months
    f = facts(worker_fact=w, assignments=[earlier, current], contracts=(contract(contract_type="contractor"),))
    assert fired("contractor_long_engagement", f) == []
    assert (
        fired("contractor_long_engagement", replace(f, contracts=(contract(),), assignments=(earlier, current))) == []
    )


def test_employee_turned_contractor_counts_from_the_contractor_contract():
    """Placed with the client since 2025-01-01 as an employee, a contractor only since 2026-04-01:
    two months as a contractor is not "a contractor engaged for over 12 months"; once the contractor
    contract itself has run 12 months, it fires from that date."""
    w = worker(country="GB")
    placement = assignment(w, starts_on=dt.date(2025, 1, 1))
    employment = contract(starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2026, 3, 31))
    contracting = contract(contract_type="contractor", starts_on=dt.date(2026, 4, 1), weekly_hours=Decimal("20"))
    f = facts(
        worker_fact=w,
        assignments=[placement],
        contracts=(employment, contracting),
        legal_entities=(entity(country="GB"),),
    )
    assert fired("contractor_long_engagement", f) == []
    (finding,) = fired("contractor_long_engagement", replace(f, today=dt.date(2027, 4, 2)))
    assert finding.facts["since"] == dt.date(2026, 4, 1) and finding.observed["months"] == 12


# --- not_dedicated -------------------------------------------------------------------------------------
def test_same_person_placed_with_another_client_fires():
    w = worker()
    other_record = worker(client_name="Globex", client_id=__import__("uuid").uuid4(), provider_name="EoR Two")
    own = assignment(w)
    elsewhere = assignment(other_record, starts_on=dt.date(2026, 4, 1))
    (finding,) = fired("not_dedicated", facts(worker_fact=w, assignments=[own], person_assignments=[own, elsewhere]))
    assert finding.facts["other_clients_count"] == 1 and "also placed with another client" in finding.summary
    assert "Globex" not in str(finding.facts) + finding.summary


def test_past_placement_with_another_client_does_not_fire():
    w = worker()
    other_record = worker(client_name="Globex", client_id=__import__("uuid").uuid4())
    own = assignment(w)
    past = assignment(other_record, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31), status="ended")
    assert fired("not_dedicated", facts(worker_fact=w, assignments=[own], person_assignments=[own, past])) == []


def test_overlap_with_another_client_in_any_period_fires_not_only_today():
    """Both placements ended before today, but they overlapped in 2025: the person was not dedicated
    then. A planned overlap fires too. Back-to-back placements (no shared day) do not."""
    w = worker()
    other_record = worker(client_name="Globex", client_id=__import__("uuid").uuid4())
    own = assignment(w, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31), status="ended")
    then = assignment(other_record, starts_on=dt.date(2025, 6, 1), ends_on=dt.date(2025, 8, 31), status="ended")
    (finding,) = fired("not_dedicated", facts(worker_fact=w, assignments=[own], person_assignments=[own, then]))
    assert finding.facts["overlaps"] == [{"from": dt.date(2025, 6, 1), "to": dt.date(2025, 8, 31)}]
    current = assignment(w, starts_on=dt.date(2026, 2, 1))
    planned = assignment(other_record, starts_on=dt.date(2026, 9, 1), status="planned")
    assert fired("not_dedicated", facts(worker_fact=w, assignments=[current], person_assignments=[current, planned]))
    after = assignment(other_record, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 31), status="ended")
    assert (
        fired("not_dedicated", facts(worker_fact=w, assignments=[current], person_assignments=[current, after])) == []
    )


def test_contractor_long_engagement_fires_only_after_more_than_12_months():
    w = worker(country="GB")
    placement = assignment(w, starts_on=dt.date(2025, 1, 1))
    f = facts(
        worker_fact=w,
        assignments=[placement],
        contracts=(contract(contract_type="contractor", weekly_hours=Decimal("20"), starts_on=dt.date(2025, 1, 1)),),
        legal_entities=(entity(country="GB"),),
    )
    assert fired("contractor_long_engagement", replace(f, today=dt.date(2025, 12, 31))) == []
    assert fired("contractor_long_engagement", replace(f, today=dt.date(2026, 1, 1))) == []  # exactly 12 months
    (finding,) = fired("contractor_long_engagement", replace(f, today=dt.date(2026, 1, 2)))
    assert finding.facts["continuity_gap_days"] == f.jurisdiction.contractor_continuity_gap_days


def test_contractor_continuity_gap_is_the_packs():
    """A 40-day break ends continuity under the shipped 31 days, and is bridged by a pack that says 45."""
    w = worker(country="GB")
    earlier = assignment(w, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 6, 30), status="ended")
    current = assignment(w, starts_on=dt.date(2025, 8, 10))  # 40 days later
    f = facts(
        today=dt.date(2026, 3, 1),
        worker_fact=w,
        assignments=[earlier, current],
        contracts=(contract(contract_type="contractor", weekly_hours=Decimal("20"), starts_on=dt.date(2025, 1, 1)),),
        legal_entities=(entity(country="GB"),),
    )
    assert fired("contractor_long_engagement", f) == []
    pack = f.jurisdiction
    gap = replace(pack.facts["contractor_continuity_gap_days"], value=45)
    lenient = replace(f, jurisdiction=replace(pack, facts={**pack.facts, "contractor_continuity_gap_days": gap}))
    (finding,) = fired("contractor_long_engagement", lenient)
    assert finding.facts["since"] == dt.date(2025, 1, 1)
