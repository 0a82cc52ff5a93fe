import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import ClientFactory, make_actor
from providers.tests.factories import PayrollEntryFactory, ProviderFactory
from risks.tests.factories import RiskFlagFactory
from screening.tests.factories import ScreeningFactory
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def _stat_before(body: str, label: str) -> str:
    """The number in the card whose caption is `label`."""
    head = body.split(label)[0]
    return head.rsplit('<div class="stat">', 1)[1].split("</div>")[0].strip()


@pytest.fixture
def acme():
    client = ClientFactory(name="Acme")
    provider = ProviderFactory()
    today = timezone.localdate()
    new = WorkerFactory(client=client, provider=provider, start_date=today - dt.timedelta(days=20))
    WorkerFactory(client=client, provider=provider, start_date=today - dt.timedelta(days=400))
    RiskFlagFactory(worker=new, severity="critical")
    RiskFlagFactory(worker=new, severity="low", rule_code="checkin_overdue", category="attrition")
    CheckInFactory(worker=new, due_on=today - dt.timedelta(days=2))
    ScreeningFactory(client=client, stage="interview")
    # Another tenant's rows, which must not be counted.
    other = WorkerFactory(start_date=today - dt.timedelta(days=5))
    RiskFlagFactory(worker=other, severity="critical")
    CheckInFactory(worker=other, due_on=today - dt.timedelta(days=2))
    ScreeningFactory(client=other.client)
    return {"client": client, "provider": provider, "other": other}


def test_client_home_counts_what_needs_attention_and_only_its_own(acme, client):
    client.force_login(make_actor(acme["client"]).user)
    body = client.get("/").content.decode()
    assert _stat_before(body, "critical or high risk flags") == "1"
    assert _stat_before(body, "check-ins overdue") == "1"
    assert _stat_before(body, "active workers") == "2"
    assert "1 in their first 90 days" in body
    assert _stat_before(body, "screenings in progress") == "1"
    assert "Structured interview: 1" in body


def test_provider_home_shows_payroll_and_compliance_instead_of_screening(acme, client):
    PayrollEntryFactory(
        worker=WorkerFactory(client=acme["client"], provider=acme["provider"]), status="failed", failure_reason="x"
    )
    client.force_login(make_actor(acme["provider"].organization).user)
    body = client.get("/").content.decode()
    assert "Provider workspace" in body
    assert _stat_before(body, "failed payroll entries") == "1"
    assert "screenings in progress" not in body


def test_home_query_count_does_not_grow_with_rows(acme, client):
    client.force_login(make_actor(acme["client"]).user)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for _ in range(6):
        worker = WorkerFactory(client=acme["client"], provider=acme["provider"])
        RiskFlagFactory(worker=worker)
        CheckInFactory(worker=worker)
        ScreeningFactory(client=acme["client"])
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)
