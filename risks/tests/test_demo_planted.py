"""The demo data's planted cases (demo/data.py, marked PLANTED) show up as flags after a scan. The
seed is run by command name, so the risks app still imports nothing from the demo app."""

import pytest
from django.core.management import call_command

from risks.models import RiskFlag
from risks.services import risk_scan_run

pytestmark = pytest.mark.django_db

PLANTED = {
    ("W-001", "tenure_cap_approaching"),  # German placement 17 months in
    ("W-008", "tenure_cap_approaching"),  # Polish placements adding up inside 36 months
    ("W-013", "outsourcing_directed_individually"),
    ("W-010", "staffing_licence_missing"),  # lapsed KRAZ registration
    ("W-018", "no_legal_entity_in_country"),
    ("W-021", "contractor_full_time_direction"),  # contractor at 40 h/week directed by the client
    ("W-033", "checkin_overdue"),  # 35 days in, no day-30 check-in
}


def test_planted_cases_are_flagged():
    call_command("seed_demo", verbosity=0)
    risk_scan_run()
    flagged = set(RiskFlag.objects.values_list("worker__external_id", "rule_code"))
    assert not PLANTED - flagged, f"planted cases not flagged: {sorted(PLANTED - flagged)}"
    contractor = RiskFlag.objects.get(worker__external_id="W-021", rule_code="contractor_full_time_direction")
    assert "40 h/week on a schedule set by" in contractor.evidence["summary"]
    # Ryan works from California: the ABC test applies, as the example reads.
    assert "IRS behavioural control; California ABC prong A" in contractor.evidence["summary"]
