"""Every country's rules at their edges (issue #12: a day before, on and after each threshold), for
the rules that read a country's facts and are not covered case by case in test_countries.py: the
tenure-cap warning, the contractor's full-time threshold, the contractor's permanence period and its
continuity gap, and the staffing licence's expiry. Each edge is read from the country's own pack, so
every one of the twenty packs (and the default) is exercised at its own numbers."""

import datetime as dt
from decimal import Decimal

import pytest

from jurisdictions import all_jurisdictions
from risks.rules import RULES
from risks.rules.tenure import add_months

from .builders import assignment, contract, entity, facts, worker
from .test_countries import CAP_EDGES, country_facts

D = dt.date
DAY = dt.timedelta(days=1)
START = D(2025, 1, 1)
PACKS = sorted(all_jurisdictions())


def _country(code):
    """(country, subdivision) of a pack code: "US-CA" → ("US", "US-CA")."""
    return (code.split("-")[0], code) if "-" in code else (code, "")


def _codes(code, worker_facts):
    return [f.rule_code for f in RULES[code].evaluate(worker_facts, [])]


def _contractor(code, today, *, hours=Decimal("20"), placements=((START, None),), contract_from=START):
    country, subdivision = _country(code)
    w = worker(country=country, subdivision=subdivision, start_date=contract_from)
    rows = [
        assignment(
            w,
            starts_on=starts_on,
            ends_on=ends_on,
            weekly_hours=hours,
            status="active" if ends_on is None or ends_on >= today else "ended",
        )
        for starts_on, ends_on in placements
    ]
    return facts(
        today=today,
        worker_fact=w,
        assignments=rows,
        contracts=(contract(contract_type="contractor", legal_entity_country=country, starts_on=contract_from),),
        legal_entities=(entity(country=country),),
    )


# --- the warning before a tenure cap: the pack's warning period before the first day past the cap ----
WARNED = [(country, placements, cap) for country, placements, cap in CAP_EDGES if len(placements) == 1]


@pytest.mark.parametrize("country, placements, cap_date", WARNED)
def test_cap_warning_starts_exactly_the_packs_warning_period_before_the_cap(country, placements, cap_date):
    warn_days = all_jurisdictions()[country].tenure_cap.warn_days_before
    first_warned = cap_date - dt.timedelta(days=warn_days)
    assert _codes("tenure_cap_approaching", country_facts(country, first_warned - DAY, placements)) == []
    for day in (first_warned, first_warned + DAY):
        (warning,) = RULES["tenure_cap_approaching"].evaluate(country_facts(country, day, placements), [])
        assert warning.facts["cap_date"] == cap_date and warning.observed["days_until_cap"] == (cap_date - day).days
    assert _codes("tenure_cap_approaching", country_facts(country, cap_date, placements)) == []  # exceeded now


# --- a contractor at the client's direction: the pack's full-time threshold ---------------------------
@pytest.mark.parametrize("code", PACKS)
def test_contractor_full_time_threshold_below_on_and_above(code):
    pack = all_jurisdictions()[code]
    threshold = Decimal(str(pack.full_time_threshold_hours))
    today = START + dt.timedelta(days=30)
    below, on, above = (threshold - Decimal("0.5"), threshold, threshold + Decimal("0.5"))
    fired_below = _codes("contractor_full_time_direction", _contractor(code, today, hours=below))
    # Below full time only a pack whose test fires on any control (California's ABC prong A) flags it.
    assert fired_below == (["contractor_full_time_direction"] if pack.contractor_any_control_fires else [])
    for hours in (on, above):
        (finding,) = RULES["contractor_full_time_direction"].evaluate(_contractor(code, today, hours=hours), [])
        assert finding.facts["full_time_threshold_hours"] == pack.full_time_threshold_hours
        assert finding.jurisdiction["code"] == pack.code


# --- a contractor engaged continuously: more than the pack's permanence period ------------------------
@pytest.mark.parametrize("code", PACKS)
def test_contractor_permanence_a_day_before_on_and_after_the_anniversary(code):
    months = all_jurisdictions()[code].contractor_permanence_months
    anniversary = add_months(START, months)
    for day in (anniversary - DAY, anniversary):
        assert _codes("contractor_long_engagement", _contractor(code, day)) == [], day
    (finding,) = RULES["contractor_long_engagement"].evaluate(_contractor(code, anniversary + DAY), [])
    assert finding.facts["since"] == START and finding.facts["limit_months"] == months


@pytest.mark.parametrize("code", PACKS)
def test_contractor_continuity_gap_one_day_short_exact_and_one_day_over(code):
    """A break of up to the pack's gap keeps the engagement continuous; one day more starts it afresh."""
    pack = all_jurisdictions()[code]
    bridged = pack.contractor_continuity_gap_days
    first_end = D(2025, 3, 31)
    today = add_months(START, pack.contractor_permanence_months) + DAY
    for days_off, continuous in ((bridged - 1, True), (bridged, True), (bridged + 1, False)):
        restart = first_end + dt.timedelta(days=days_off + 1)  # `days_off` whole days without work
        placements = ((START, first_end), (restart, None))
        found = list(RULES["contractor_long_engagement"].evaluate(_contractor(code, today, placements=placements), []))
        assert bool(found) == continuous, (days_off, found)
        if found:
            assert found[0].facts["since"] == START and found[0].facts["continuity_gap_days"] == bridged


# --- the staffing licence: valid through its expiry day --------------------------------------------
LICENSED = [code for code in PACKS if all_jurisdictions()[code].licence_required]


@pytest.mark.parametrize("code", LICENSED)
def test_staffing_licence_expiry_the_day_before_on_and_after(code):
    pack = all_jurisdictions()[code]
    country, subdivision = _country(code)
    expires = D(2026, 6, 1)

    def on(today):
        w = worker(country=country, subdivision=subdivision)
        return facts(
            today=today,
            worker_fact=w,
            assignments=[assignment(w, starts_on=D(2026, 1, 1))],
            legal_entities=(
                entity(country=country, staffing_licence_number="L-1", staffing_licence_expires_on=expires),
            ),
            contracts=(contract(legal_entity_country=country),),
            provider_headcount_in_country=pack.licence_headcount_threshold or 0,
        )

    assert _codes("staffing_licence_missing", on(expires - DAY)) == []
    assert _codes("staffing_licence_missing", on(expires)) == []  # valid on its last day
    (finding,) = RULES["staffing_licence_missing"].evaluate(on(expires + DAY), [])
    assert f"expired on {expires.isoformat()}" in finding.summary and finding.sources == (pack.licence_source,)


def test_every_pack_is_exercised():
    assert len(PACKS) == 21 and len(LICENSED) >= 10 and len(WARNED) >= 10
