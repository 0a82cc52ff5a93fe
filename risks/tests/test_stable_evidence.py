"""Stable evidence (DESIGN §6): a finding's evidence hash moves only when the facts move, never with
the calendar alone. Every rule fires on the demo data plus a few extra cases; every flag is dismissed;
a scan the next day, with nothing changed, reopens, escalates and rewrites nothing."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from assignments.tests.factories import AssignmentFactory
from providers.tests.factories import EmploymentContractFactory, LegalEntityFactory
from risks.choices import FlagStatus
from risks.models import RiskFlag
from risks.rules import RULES
from risks.services import risk_scan_run
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _healthy(worker, *, starts_on, signed=True, manager=True):
    entity = LegalEntityFactory(provider=worker.provider, country=worker.country, staffing_licence_number="L-1")
    EmploymentContractFactory(
        worker=worker,
        legal_entity=entity,
        engagement_model="outstaffing",
        starts_on=starts_on,
        signed_on=starts_on if signed else None,
    )
    return AssignmentFactory(worker=worker, starts_on=starts_on, manager=UserFactory() if manager else None)


def _plant_what_the_demo_lacks(today: dt.date) -> None:
    # Past Germany's 18 months.
    _healthy(
        WorkerFactory(country="DE", start_date=today - dt.timedelta(days=700)), starts_on=today - dt.timedelta(days=700)
    )
    # Past Poland's 18 months, long enough ago that the breach has run for months.
    _healthy(WorkerFactory(country="PL", start_date=dt.date(2023, 1, 1)), starts_on=today - dt.timedelta(days=900))
    # An unsigned contract during an assignment.
    _healthy(
        WorkerFactory(country="GB", start_date=today - dt.timedelta(days=200)),
        starts_on=today - dt.timedelta(days=200),
        signed=False,
    )
    # A new starter with no assignment, let through the gate by override.
    WorkerFactory(
        country="GB",
        start_date=today - dt.timedelta(days=10),
        gate_override_reason="Hired before the screening was set up",
        gate_override_at=timezone.now(),
    )
    # Mexico: personnel supplied under the client's direction; South Africa: deemed employment.
    _healthy(
        WorkerFactory(country="MX", start_date=today - dt.timedelta(days=200)), starts_on=today - dt.timedelta(days=200)
    )
    _healthy(
        WorkerFactory(country="ZA", start_date=today - dt.timedelta(days=200)), starts_on=today - dt.timedelta(days=200)
    )
    # One person placed with two clients at once (two records of the same person).
    first = WorkerFactory(country="GB", start_date=today - dt.timedelta(days=300))
    _healthy(first, starts_on=today - dt.timedelta(days=300))
    second = WorkerFactory(country="GB", start_date=today - dt.timedelta(days=100), person_id=first.person_id)
    _healthy(second, starts_on=today - dt.timedelta(days=100))


def test_a_rescan_the_next_day_with_no_change_reopens_escalates_and_rewrites_nothing():
    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    _plant_what_the_demo_lacks(today)
    risk_scan_run(today=today)
    flags = RiskFlag.objects.exclude(status=FlagStatus.RESOLVED)
    assert set(RULES) <= set(flags.values_list("rule_code", flat=True)), "every rule fires at least once"
    flags.update(status=FlagStatus.DISMISSED, status_reason="seen")
    before = dict(RiskFlag.objects.values_list("id", "evidence_hash"))

    for day in (1, 2):
        report = risk_scan_run(today=today + dt.timedelta(days=day))
        # A new fact of the day (a check-in falling due) may open a new flag, and a worker passing
        # day 90 may leave the attrition window; what was there and still holds stays as it was.
        assert report.reopened == [] and report.escalated == [], day
        kept = RiskFlag.objects.filter(id__in=before).exclude(status=FlagStatus.RESOLVED)
        assert kept.count() >= len(before) - len(report.resolved)
        assert {flag.id: flag.evidence_hash for flag in kept} == {flag.id: before[flag.id] for flag in kept}
        assert set(kept.values_list("status", flat=True)) == {FlagStatus.DISMISSED}
        assert {c.rule_code for c in report.resolved} <= {
            "checkin_overdue",
            "no_directing_manager",
            "attrition_risk_high",
            "onboarding_incomplete",
            "screening_override",
            "checkin_low_rating",
            "first_payroll_failed",
            "tenure_cap_approaching",
        }
