"""Tenure caps: the German gap rule on both sides of three months, the Polish 18-in-36 window
sliding, and a provider change not resetting the count."""

import datetime as dt
import uuid
from dataclasses import replace

from jurisdictions import _hashable
from risks.rules import RULES
from risks.rules.tenure import add_months, consecutive_tenure, rolling_window_tenure

from .builders import assignment, contract, entity, facts, worker

D = dt.date


def codes(worker_facts):
    return [
        f.rule_code
        for code in ("tenure_cap_approaching", "tenure_cap_exceeded")
        for f in RULES[code].evaluate(worker_facts, [])
    ]


def test_add_months_clamps_to_month_end():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 8, 31), 18) == D(2026, 2, 28)
    assert add_months(D(2026, 3, 15), -36) == D(2023, 3, 15)


# --- Germany: 18 consecutive months, a gap of more than 3 months resets -----------------------------
def test_de_gap_of_exactly_three_months_keeps_earlier_placement():
    periods = [(D(2024, 1, 1), D(2025, 3, 31)), (D(2025, 7, 1), None)]  # interruption 1 Apr – 30 Jun
    tenure = consecutive_tenure(periods, today=D(2025, 8, 1), max_months=18, reset_after_gap_months=3)
    assert tenure.chain_started_on == D(2024, 1, 1)
    assert tenure.interruption_days == 91
    assert tenure.cap_date == D(2025, 7, 1) + dt.timedelta(days=91)  # 1 Jul 2025 plus the interruption


def test_de_gap_one_day_over_three_months_resets():
    periods = [(D(2024, 1, 1), D(2025, 3, 31)), (D(2025, 7, 2), None)]  # interruption 1 Apr – 1 Jul
    tenure = consecutive_tenure(periods, today=D(2025, 8, 1), max_months=18, reset_after_gap_months=3)
    assert tenure.chain_started_on == D(2025, 7, 2)
    assert tenure.cap_date == D(2027, 1, 2)
    assert tenure.earlier_chains_reset == 1


def _de_facts(today, earlier_end, later_start):
    w = worker()
    earlier = assignment(w, starts_on=D(2024, 1, 1), ends_on=earlier_end, status="ended")
    current = assignment(w, starts_on=later_start)
    return facts(today=today, worker_fact=w, assignments=[earlier, current])


def test_de_rule_flags_exceeded_when_gap_within_three_months_and_not_when_over():
    within = _de_facts(D(2025, 11, 1), D(2025, 3, 31), D(2025, 7, 1))
    (finding,) = RULES["tenure_cap_exceeded"].evaluate(within, [])
    assert finding.severity == "high" and finding.facts["counted_since"] == D(2024, 1, 1)
    assert "AÜG §1(1b)" in finding.sources[0]
    over = _de_facts(D(2025, 11, 1), D(2025, 3, 31), D(2025, 7, 2))
    assert codes(over) == []


def test_de_warns_90_days_before_and_flags_high_at_the_cap():
    w = worker()
    placement = assignment(w, starts_on=D(2025, 1, 1))  # cap reached 1 Jul 2026
    before_window = facts(today=D(2026, 4, 1), worker_fact=w, assignments=[placement])
    assert codes(before_window) == []  # 91 days before
    warn = facts(today=D(2026, 4, 2), worker_fact=w, assignments=[placement])
    (finding,) = RULES["tenure_cap_approaching"].evaluate(warn, [])
    assert finding.severity == "medium" and finding.observed["days_until_cap"] == 90
    assert "on 2026-07-01" in finding.summary
    assert codes(facts(today=D(2026, 7, 1), worker_fact=w, assignments=[placement])) == ["tenure_cap_exceeded"]


def test_de_no_warning_when_placement_ends_before_the_cap():
    w = worker()
    placement = assignment(w, starts_on=D(2025, 1, 1), ends_on=D(2026, 6, 15))
    assert codes(facts(today=D(2026, 5, 1), worker_fact=w, assignments=[placement])) == []


def test_de_provider_change_does_not_reset_tenure():
    """The person moved from provider One to provider Two (a new worker record, same e-mail); the
    placements with Acme run on and count together."""
    old_record = worker(provider_id=uuid.uuid4(), provider_name="EoR One")
    new_record = worker(provider_id=uuid.uuid4(), provider_name="EoR Two", work_email=old_record.work_email)
    before = assignment(old_record, starts_on=D(2024, 10, 1), ends_on=D(2025, 9, 30), status="ended")
    after = assignment(new_record, starts_on=D(2025, 10, 1))
    f = facts(today=D(2026, 4, 15), worker_fact=new_record, assignments=[after], person_assignments=[before, after])
    (finding,) = RULES["tenure_cap_exceeded"].evaluate(f, [])
    assert finding.facts["counted_since"] == D(2024, 10, 1)
    assert finding.facts["providers"] == ["EoR One", "EoR Two"]
    assert "across providers EoR One, EoR Two" in finding.summary
    alone = facts(today=D(2026, 4, 15), worker_fact=new_record, assignments=[after])
    assert codes(alone) == []


# --- Poland: 18 months within any 36 consecutive months ---------------------------------------------
def test_pl_window_counts_days_inside_the_36_months():
    """Two placements inside the window are a non-continuous period: 30 days a month (Civil Code
    art. 114), 18 months = 540 days. The old placement alone is exactly 18 calendar months, so the
    first day back with the client within 36 months passes the cap."""
    periods = [(D(2023, 1, 1), D(2024, 6, 30)), (D(2026, 1, 1), None)]
    tenure = rolling_window_tenure(periods, today=D(2026, 3, 1), max_months=18, window_months=36, horizon_days=90)
    assert tenure.window_started_on == D(2023, 3, 2)
    assert tenure.counted_days == 487 + 60  # 2 Mar 2023 – 30 Jun 2024, then 1 Jan – 1 Mar 2026
    assert tenure.cap_days == 540
    assert tenure.cap_date == D(2026, 1, 1)


def test_pl_continuous_placement_is_counted_in_calendar_months():
    """Civil Code art. 112: 18 months from 1 Jan 2025 end on 30 Jun 2026; 1 Jul 2026 is past the
    cap, the same day as in Germany (the issue's 3 Jul came from 548 average days)."""
    periods = [(D(2025, 1, 1), None)]
    edges = {
        D(2026, 6, 30): None,  # the day before: warned of, not passed
        D(2026, 7, 1): D(2026, 7, 1),
        D(2026, 7, 2): D(2026, 7, 1),
    }
    for today, cap_date in edges.items():
        tenure = rolling_window_tenure(periods, today=today, max_months=18, window_months=36, horizon_days=0)
        assert tenure.cap_date == cap_date, today
    ahead = rolling_window_tenure(periods, today=D(2026, 6, 1), max_months=18, window_months=36, horizon_days=90)
    assert ahead.cap_date == D(2026, 7, 1)


def test_pl_cap_date_stays_the_same_every_day_of_the_breach():
    """The evidence (and its hash) must not move with the calendar: a year into the breach the cap
    date is still the first day past the cap, for one period and for several."""
    one = [(D(2025, 1, 1), None)]
    several = [(D(2024, 1, 1), D(2024, 12, 31)), (D(2025, 2, 1), None)]
    for periods, first_day in ((one, D(2026, 7, 1)), (several, D(2025, 7, 25))):
        seen = {
            rolling_window_tenure(
                periods, today=first_day + dt.timedelta(days=offset), max_months=18, window_months=36, horizon_days=90
            ).cap_date
            for offset in (0, 1, 2, 30, 200, 400)
        }
        assert seen == {first_day}, periods


def test_pl_window_slides_old_placement_out():
    w = worker(country="PL")
    pl = {"legal_entities": (entity(country="PL"),), "contracts": (contract(legal_entity_country="PL"),)}
    current = assignment(w, starts_on=D(2026, 1, 1))
    old_inside = assignment(w, starts_on=D(2023, 1, 1), ends_on=D(2024, 8, 31), status="ended")
    f = facts(today=D(2026, 3, 10), worker_fact=w, assignments=[old_inside, current], **pl)
    assert codes(f) == ["tenure_cap_exceeded"]
    # The same 18 months placed a year earlier have mostly slid out of the window; and as the
    # window slides on, old days leave as fast as new ones arrive, so no warning either.
    old_slid = assignment(w, starts_on=D(2022, 1, 1), ends_on=D(2023, 8, 31), status="ended")
    f = facts(today=D(2026, 3, 10), worker_fact=w, assignments=[old_slid, current], **pl)
    assert codes(f) == []


def test_pl_warns_when_the_window_will_reach_the_cap_within_90_days():
    w = worker(country="PL")
    current = assignment(w, starts_on=D(2025, 1, 1))
    f = facts(today=D(2026, 5, 1), worker_fact=w, assignments=[current], legal_entities=(entity(country="PL"),))
    (finding,) = RULES["tenure_cap_approaching"].evaluate(f, [])
    assert finding.facts["cap_date"] == D(2026, 7, 1)  # 18 calendar months from 1 Jan 2025 (art. 112)
    assert finding.facts["window_months"] == 36


def test_pl_no_cap_risk_early_in_placement_and_gb_has_no_cap():
    w = worker(country="PL")
    assert codes(facts(today=D(2026, 5, 1), worker_fact=w, assignments=[assignment(w, starts_on=D(2025, 12, 1))])) == []
    gb = worker(country="GB")
    assert (
        codes(facts(today=D(2026, 5, 1), worker_fact=gb, assignments=[assignment(gb, starts_on=D(2020, 1, 1))])) == []
    )


def test_de_gap_is_measured_from_the_first_day_of_the_interruption_at_month_end():
    # Placement ends 28 Feb 2025: the interruption 1 Mar – 31 May is exactly three months, so the
    # earlier placement still counts; one day more (restart 2 Jun) resets. Measuring three months from
    # the last working day (28 Feb → 28 May) would wrongly reset the count on a restart on 1 Jun.
    keeps = consecutive_tenure(
        [(D(2024, 3, 1), D(2025, 2, 28)), (D(2025, 6, 1), None)],
        today=D(2025, 8, 1),
        max_months=18,
        reset_after_gap_months=3,
    )
    assert keeps.chain_started_on == D(2024, 3, 1) and keeps.earlier_chains_reset == 0
    assert keeps.interruption_days == 92
    resets = consecutive_tenure(
        [(D(2024, 3, 1), D(2025, 2, 28)), (D(2025, 6, 2), None)],
        today=D(2025, 8, 1),
        max_months=18,
        reset_after_gap_months=3,
    )
    assert resets.chain_started_on == D(2025, 6, 2) and resets.earlier_chains_reset == 1


def test_a_pack_where_a_provider_change_resets_counts_only_the_current_provider():
    old_record = worker(provider_id=uuid.uuid4(), provider_name="EoR One")
    new_record = worker(provider_id=uuid.uuid4(), provider_name="EoR Two")
    before = assignment(old_record, starts_on=D(2024, 10, 1), ends_on=D(2025, 9, 30), status="ended")
    after = assignment(new_record, starts_on=D(2025, 10, 1))
    f = facts(today=D(2026, 4, 15), worker_fact=new_record, assignments=[after], person_assignments=[before, after])
    assert codes(f) == ["tenure_cap_exceeded"]
    pack = f.jurisdiction
    cap = pack.facts["tenure_cap"]
    cap = replace(cap, value=_hashable({**cap.value, "provider_change_resets": True}))
    resets = replace(f, jurisdiction=replace(pack, facts={**pack.facts, "tenure_cap": cap}))
    assert codes(resets) == []


def test_de_first_day_past_18_months_is_the_calendar_date():
    """BGB §187(2)/§188(2): from 1 Jan 2025 the 18 months end on 30 Jun 2026."""
    w = worker()
    placement = assignment(w, starts_on=D(2025, 1, 1))
    assert codes(facts(today=D(2026, 6, 30), worker_fact=w, assignments=[placement])) == ["tenure_cap_approaching"]
    assert codes(facts(today=D(2026, 7, 1), worker_fact=w, assignments=[placement])) == ["tenure_cap_exceeded"]


def test_pl_exceeded_flag_evidence_is_the_same_on_consecutive_days():
    w = worker(country="PL")
    placement = assignment(w, starts_on=D(2024, 1, 1))
    pl = {"legal_entities": (entity(country="PL"),), "contracts": (contract(legal_entity_country="PL"),)}
    hashes = set()
    for today in (D(2026, 3, 1), D(2026, 3, 2), D(2026, 9, 30)):
        (finding,) = RULES["tenure_cap_exceeded"].evaluate(
            facts(today=today, worker_fact=w, assignments=[placement], **pl), []
        )
        assert finding.facts["cap_date"] == D(2025, 7, 1)
        hashes.add(finding.evidence_hash)
    assert len(hashes) == 1
