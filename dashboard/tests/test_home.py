import datetime as dt
import re

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
    head = body.split(f'aria-hidden="true">{label}')[0]
    return head.rsplit('class="stat"', 1)[1].split(">", 1)[1].split("<")[0].strip()


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


def _link_for(body: str, text: str) -> str:
    """The href of the link whose text starts with `text`."""
    head = body.split(f'">{text}')[0]
    return head.rsplit('href="', 1)[1].replace("&amp;", "&")


def test_every_number_links_to_exactly_the_list_it_counts(client, acme):
    """Issue 11, point 3: "1 in their first 90 days" used to list all active workers."""
    today = timezone.localdate()
    WorkerFactory(client=acme["client"], provider=acme["provider"], start_date=today - dt.timedelta(days=89))
    WorkerFactory(client=acme["client"], provider=acme["provider"], start_date=today - dt.timedelta(days=91))
    CheckInFactory(worker=WorkerFactory(client=acme["client"]), due_on=today + dt.timedelta(days=3))
    client.force_login(make_actor(acme["client"]).user)
    body = client.get("/").content.decode()

    first_90 = _link_for(body, "2 in their first 90 days")
    assert "in_first_90_days=true" in first_90 and "status=active" in first_90
    listed = client.get(first_90).content.decode()
    assert len(re.findall(r'href="/workers/[0-9a-f-]{36}/"', listed)) == 2

    upcoming = client.get(_link_for(body, "1 due in the next 14 days")).content.decode()
    assert upcoming.count("<tr>") - 1 == 1  # one row under the header

    overdue_href = body.split("check-ins overdue")[0].rsplit('href="', 1)[1].split('"')[0]
    assert overdue_href == "/workers/check-ins/?state=overdue"


def test_the_first_90_days_filter_is_the_apis_too(client, acme):
    client.force_login(make_actor(acme["client"]).user)
    response = client.get("/api/v1/workers/", {"in_first_90_days": "true"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
