"""Every country's rules at their edges: a day before, on and after each threshold (issue #12). Built
from in-memory facts, so each case reads as the statute does."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from risks.rules import RULES
from risks.rules.facts import PayrollEntryFact

from .builders import assignment, contract, entity, facts, worker

D = dt.date
CAP_CODES = ("tenure_cap_approaching", "tenure_cap_exceeded")


def country_facts(country, today, placements, **overrides):
    """`placements`: [(starts_on, ends_on or None, provider name)] with one client; the last is current."""
    w = worker(country=country)
    rows = []
    for starts_on, ends_on, provider in placements:
        record = (
            w if provider == "EoR One" else worker(country=country, provider_id=uuid.uuid4(), provider_name=provider)
        )
        current = ends_on is None or ends_on >= today
        rows.append(assignment(record, starts_on=starts_on, ends_on=ends_on, status="active" if current else "ended"))
    own = [a for a in rows if a.worker_id == w.id]
    values = {
        "legal_entities": (entity(country=country),),
        "contracts": (contract(legal_entity_country=country, starts_on=placements[0][0]),),
    }
    values.update(overrides)
    return facts(today=today, worker_fact=w, assignments=own, person_assignments=rows, **values)


def cap_codes(worker_facts):
    return [f.rule_code for code in CAP_CODES for f in RULES[code].evaluate(worker_facts, [])]


def one(code, worker_facts):
    return list(RULES[code].evaluate(worker_facts, []))


# (country, placements, first day past the cap) — open-ended current placements.
CAP_EDGES = [
    ("DE", [(D(2025, 1, 1), None, "EoR One")], D(2026, 7, 1)),  # 18 months, BGB 187(2)/188(2)
    ("PL", [(D(2025, 1, 1), None, "EoR One")], D(2026, 7, 1)),  # 18 months, Civil Code art. 112
    ("FR", [(D(2025, 1, 1), None, "EoR One")], D(2026, 7, 1)),  # 18 months per mission contract
    ("ES", [(D(2025, 1, 1), None, "EoR One")], D(2026, 7, 1)),  # 18 months in 24
    ("IT", [(D(2025, 1, 1), None, "EoR One")], D(2027, 1, 1)),  # 24 months
    ("PT", [(D(2025, 1, 1), None, "EoR One")], D(2027, 1, 1)),  # 2 years incl. renewals
    ("CZ", [(D(2025, 1, 1), None, "EoR One")], D(2026, 1, 1)),  # 12 months per user
    ("RO", [(D(2025, 1, 1), None, "EoR One")], D(2028, 1, 1)),  # 24 + extensions, 36 months in all
    ("HU", [(D(2025, 1, 1), None, "EoR One")], D(2030, 1, 1)),  # 5 years
    ("BR", [(D(2025, 1, 1), None, "EoR One")], D(2025, 9, 28)),  # 180 + 90 days: the 271st day
    ("CO", [(D(2025, 1, 1), None, "EoR One")], D(2026, 1, 1)),  # 6 + 6 months
    # Italy: 24 months regardless of interruptions: 365 days in 2023, a year off, then 355 more.
    ("IT", [(D(2023, 1, 1), D(2023, 12, 31), "EoR One"), (D(2025, 1, 1), None, "EoR One")], D(2025, 12, 22)),
    # Colombia: the same or a different EST, after any break: 182 + 178 days = 360.
    ("CO", [(D(2024, 1, 1), D(2024, 6, 30), "EST Uno"), (D(2025, 1, 1), None, "EoR One")], D(2025, 6, 28)),
    # Hungary: re-assignment within six months (any agency) counts; the break pushes the cap back.
    ("HU", [(D(2020, 1, 1), D(2024, 6, 30), "Agency A"), (D(2025, 1, 1), None, "EoR One")], D(2025, 7, 4)),
    # Brazil: 270 days used, back at the same client after exactly 90 days: breach from day one.
    ("BR", [(D(2025, 1, 1), D(2025, 9, 27), "EoR One"), (D(2025, 12, 27), None, "EoR One")], D(2025, 12, 27)),
]


@pytest.mark.parametrize("country, placements, cap_date", CAP_EDGES)
def test_cap_a_day_before_on_and_after(country, placements, cap_date):
    before = country_facts(country, cap_date - dt.timedelta(days=1), placements)
    assert "tenure_cap_exceeded" not in cap_codes(before), country
    on = country_facts(country, cap_date, placements)
    (finding,) = one("tenure_cap_exceeded", on)
    assert finding.facts["cap_date"] == cap_date and finding.jurisdiction["code"] == country
    after = country_facts(country, cap_date + dt.timedelta(days=1), placements)
    (later,) = one("tenure_cap_exceeded", after)
    assert later.evidence_hash == finding.evidence_hash  # a day later, the same evidence


def test_france_counts_contract_by_contract_not_across_missions():
    """Two missions of just under 18 months each: never past the French cap; the German one is."""
    placements = [(D(2024, 1, 1), D(2025, 6, 30), "EoR One"), (D(2025, 7, 1), None, "EoR One")]
    assert one("tenure_cap_exceeded", country_facts("FR", D(2026, 12, 31), placements)) == []
    assert one("tenure_cap_exceeded", country_facts("DE", D(2026, 12, 31), placements))


def test_france_warns_of_a_renewal_that_would_pass_the_cap():
    renewed = [(D(2025, 1, 1), D(2026, 9, 30), "EoR One")]  # renewed to 21 months
    (warning,) = one("tenure_cap_approaching", country_facts("FR", D(2026, 4, 15), renewed))
    assert warning.facts["cap_date"] == D(2026, 7, 1)
    within = [(D(2025, 1, 1), D(2026, 6, 30), "EoR One")]
    assert cap_codes(country_facts("FR", D(2026, 4, 15), within)) == []


def test_hungary_cooling_off_a_day_more_than_six_months_starts_afresh():
    keeps = [(D(2020, 1, 1), D(2024, 6, 30), "Agency A"), (D(2025, 1, 1), None, "EoR One")]
    afresh = [(D(2020, 1, 1), D(2024, 6, 30), "Agency A"), (D(2025, 1, 2), None, "EoR One")]
    assert one("tenure_cap_exceeded", country_facts("HU", D(2025, 7, 4), keeps))
    assert one("tenure_cap_exceeded", country_facts("HU", D(2025, 7, 4), afresh)) == []


def test_brazil_required_gap_of_more_than_90_days():
    kept_gap = [(D(2025, 1, 1), D(2025, 9, 27), "EoR One"), (D(2025, 12, 28), None, "EoR One")]  # 91 days off
    assert one("tenure_cap_exceeded", country_facts("BR", D(2025, 12, 28), kept_gap)) == []
    short_gap = [(D(2025, 1, 1), D(2025, 9, 27), "EoR One"), (D(2025, 12, 27), None, "EoR One")]  # 90 days
    (finding,) = one("tenure_cap_exceeded", country_facts("BR", D(2025, 12, 27), short_gap))
    assert finding.facts["required_gap_days"] == 90 and "270-day cap" in finding.summary


@pytest.mark.parametrize("country", ["GB", "US", "NL", "AR", "IN", "PH", "MX", "ZA"])
def test_countries_without_a_placement_cap_never_flag_one(country):
    assert cap_codes(country_facts(country, D(2030, 1, 1), [(D(2020, 1, 1), None, "EoR One")])) == []


# --- Mexico and the Philippines: supplying personnel under the client's direction -------------------
@pytest.mark.parametrize("country, cites", [("MX", "Ley Federal del Trabajo art. 12"), ("PH", "174-17")])
def test_personnel_supply_restricted_fires_on_client_direction_only(country, cites):
    directed = country_facts(country, D(2026, 6, 1), [(D(2026, 5, 31), None, "EoR One")])
    (finding,) = one("personnel_supply_restricted", directed)
    assert finding.severity == "critical" and cites in finding.sources[0]
    w = directed.worker
    vendor = assignment(w, starts_on=D(2026, 5, 31), directed_by="provider")
    assert one("personnel_supply_restricted", facts(today=D(2026, 6, 1), worker_fact=w, assignments=[vendor])) == []
    # Elsewhere the same set-up is ordinary outstaffing.
    assert (
        one("personnel_supply_restricted", country_facts("DE", D(2026, 6, 1), [(D(2026, 5, 31), None, "EoR One")]))
        == []
    )


def test_philippines_registration_missing_is_a_licence_finding():
    unregistered = country_facts(
        "PH",
        D(2026, 6, 1),
        [(D(2026, 1, 1), None, "EoR One")],
        legal_entities=(entity(country="PH", staffing_licence_number=""),),
    )
    (finding,) = one("staffing_licence_missing", unregistered)
    assert "174-17" in finding.sources[0]


# --- India: the licence duty depends on the headcount ------------------------------------------------
@pytest.mark.parametrize("headcount, fires", [(49, False), (50, True), (51, True)])
def test_india_licence_duty_from_50_workers(headcount, fires):
    f = country_facts(
        "IN",
        D(2026, 6, 1),
        [(D(2026, 1, 1), None, "EoR One")],
        legal_entities=(entity(country="IN", staffing_licence_number=""),),
        provider_headcount_in_country=headcount,
    )
    findings = one("staffing_licence_missing", f)
    assert bool(findings) == fires
    if fires:
        assert findings[0].facts["headcount_threshold"] == 50
        assert findings[0].observed["headcount_in_country"] == headcount


def test_india_headcount_moving_above_the_threshold_keeps_the_evidence():
    def at(headcount):
        return one(
            "staffing_licence_missing",
            country_facts(
                "IN",
                D(2026, 6, 1),
                [(D(2026, 1, 1), None, "EoR One")],
                legal_entities=(entity(country="IN", staffing_licence_number=""),),
                provider_headcount_in_country=headcount,
            ),
        )[0]

    assert at(50).evidence_hash == at(75).evidence_hash


# --- South Africa: deemed employment below the earnings threshold ------------------------------------
def _pay(monthly):
    return (
        PayrollEntryFact(
            id=uuid.uuid4(),
            status="paid",
            pay_date=D(2025, 1, 31),
            gross_amount=Decimal(monthly),
            currency="ZAR",
            period_start=D(2025, 1, 1),
            period_end=D(2025, 1, 31),
        ),
    )


@pytest.mark.parametrize(
    "today, monthly, severity",
    [
        (D(2025, 3, 31), "15000", None),  # three months exactly: not yet "more than three months"
        (D(2025, 4, 1), "15000", "high"),  # R 176 613 a year: below R 261 748,45
        (D(2025, 4, 2), "15000", "high"),
        (D(2025, 4, 1), "25000", None),  # R 294 355 a year: above the threshold
        (D(2025, 4, 1), None, "medium"),  # earnings not on record
    ],
)
def test_south_africa_deemed_employee_after_three_months_below_the_threshold(today, monthly, severity):
    payroll = _pay(monthly) if monthly else ()
    f = country_facts("ZA", today, [(D(2025, 1, 1), None, "EoR One")], payroll_entries=payroll)
    findings = one("deemed_employment_by_client", f)
    assert [x.severity for x in findings] == ([severity] if severity else [])
    if findings:
        assert findings[0].facts["deemed_from"] == D(2025, 4, 1) and "198A" in findings[0].sources[0]


@pytest.mark.parametrize("yearly, fires", [("261748.44", True), ("261748.45", False), ("261748.46", False)])
def test_south_africa_threshold_edge_is_the_published_amount(yearly, fires):
    """R 261 748,45 a year (BCEA s.6(3), from 1 April 2025): one cent below is below the threshold."""
    year = PayrollEntryFact(
        id=uuid.uuid4(),
        status="paid",
        pay_date=D(2025, 12, 31),
        gross_amount=Decimal(yearly),
        currency="ZAR",
        period_start=D(2025, 1, 1),
        period_end=D(2025, 12, 31),
    )
    f = country_facts("ZA", D(2026, 1, 5), [(D(2025, 1, 1), None, "EoR One")], payroll_entries=(year,))
    assert bool(one("deemed_employment_by_client", f)) == fires


def test_unverified_facts_are_marked_in_the_evidence():
    (cz,) = one("tenure_cap_exceeded", country_facts("CZ", D(2026, 1, 1), [(D(2025, 1, 1), None, "EoR One")]))
    assert cz.sources[0].endswith("[unverified]")
    (fr,) = one("tenure_cap_exceeded", country_facts("FR", D(2026, 7, 1), [(D(2025, 1, 1), None, "EoR One")]))
    assert "[unverified]" not in fr.sources[0]
