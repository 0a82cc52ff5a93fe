"""The command on an empty database (kept apart from test_seed_demo.py, whose module-wide seed would
make the database non-empty)."""

from io import StringIO

import pytest
from django.core.management import call_command

from risks.models import RiskFlag

pytestmark = pytest.mark.django_db


def test_a_seed_that_changes_data_scans_so_the_planted_cases_are_flagged_at_once():
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "Risk scan:" in out.getvalue()
    assert RiskFlag.objects.filter(worker__external_id="W-021", rule_code="contractor_full_time_direction").exists()


def test_production_settings_refuse_demo_data_unless_told_it_is_public(settings):
    from django.core.management.base import CommandError

    from accounts.models import Organization

    settings.OUTSTAFF_PRODUCTION = True
    with pytest.raises(CommandError, match="--i-know-this-is-public"):
        call_command("seed_demo", "--if-empty", stdout=StringIO())
    assert not Organization.objects.exists()
    out = StringIO()
    call_command("seed_demo", "--if-empty", "--i-know-this-is-public", stdout=out)
    assert Organization.objects.exists()
