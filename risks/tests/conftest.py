"""Fixtures of the warn-before-saving tests (risks/tests/test_preview*.py, test_bulk_preview.py)."""

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from accounts.tests.factories import ClientFactory
from assignments.models import Assignment
from assignments.tests.factories import AssignmentFactory
from providers.models import EmploymentContract
from providers.tests.factories import EmploymentContractFactory, LegalEntityFactory
from risks.models import RiskFlag
from risks.rules.tenure import add_months
from risks.services import risk_scan_run
from workers.models import Worker
from workers.tests.factories import WorkerFactory


@pytest.fixture
def german_placement():
    """A German placement 17 months in, planned to end before the 18-month cap: no flag today."""
    today = timezone.localdate()
    client = ClientFactory()
    worker = WorkerFactory(client=client, country="DE", start_date=add_months(today, -17))
    entity = LegalEntityFactory(provider=worker.provider, country="DE", staffing_licence_number="AÜG-1")
    EmploymentContractFactory(
        worker=worker, legal_entity=entity, engagement_model="outstaffing", starts_on=worker.start_date
    )
    placement = AssignmentFactory(
        worker=worker, starts_on=worker.start_date, ends_on=today + dt.timedelta(days=20), schedule_set_by_client=False
    )
    risk_scan_run(worker_ids=[worker.id], today=today)
    assert not RiskFlag.objects.filter(worker=worker).exists()
    return {"today": today, "client": client, "worker": worker, "entity": entity, "assignment": placement}


def preview_counts():
    return (
        Assignment.objects.count(),
        Assignment.pgh_event_model.objects.count(),
        EmploymentContract.objects.count(),
        # The webhook outbox (integrations sits above risks: looked up by name, not imported).
        apps.get_model("integrations", "WebhookEvent").objects.count(),
        RiskFlag.objects.count(),
        Worker.pgh_event_model.objects.count(),
        EmploymentContract.pgh_event_model.objects.count(),
    )
