"""Tenure caps: the German gap rule on both sides of three months, the Polish 18-in-36 window
sliding, and a provider change not resetting the count."""

import datetime as dt
import uuid

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
    periods = [(D(2023, 1, 1), D(2024, 6, 30)), (D(2026, 1, 1), None)]
    tenure = rolling_window_tenure(periods, today=D(2026, 3, 1), max_months=18, window_months=36, horizon_days=90)
    assert tenure.window_started_on == D(2023, 3, 2)
    assert tenure.counted_days == 487 + 60  # 2 Mar 2023 – 30 Jun 2024, then 1 Jan – 1 Mar 2026
    assert tenure.cap_days == 548
    # From here the window loses a day of the old placement for every day of the new one: it stays
    # at 547 until the old placement has slid out, so the cap is never passed.
    assert tenure.cap_date is None


def test_pl_continuous_placement_passes_the_cap_after_548_days():
    tenure = rolling_window_tenure(
        [(D(2025, 1, 1), None)], today=D(2026, 6, 1), max_months=18, window_months=36, horizon_days=90
    )
    assert tenure.cap_date == D(2025, 1, 1) + dt.timedelta(days=548)


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
    assert finding.facts["cap_date"] == D(2026, 7, 3)  # 1 Jan 2025 + 548 days
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
