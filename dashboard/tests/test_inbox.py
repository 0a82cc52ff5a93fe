"""My inbox on the home page (issue 11, point 4): what needs this user, due soonest first, each
linking to the place to act; another tenant's work never shows; the cost does not grow with rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import make_actor
from dashboard.inbox import inbox_items
from providers.tests.factories import ComplianceItemFactory, PayrollEntryFactory
from risks.tests.factories import RiskFlagFactory
from screening.tests.factories import InterviewScorecardFactory, ScreeningFactory
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def _inbox_html(body: str) -> str:
    return body[body.index('id="inbox-heading"') : body.index("</section>", body.index('id="inbox-heading"'))]


def test_a_client_admins_inbox_due_soonest_first(client, today):
    worker = WorkerFactory(first_name="Mina", last_name="Kovacs", start_date=today - dt.timedelta(days=40))
    admin = make_actor(worker.client, role=Role.CLIENT_ADMIN)
    overdue = CheckInFactory(worker=worker, kind="day_30", due_on=today - dt.timedelta(days=10))
    CheckInFactory(worker=worker, kind="day_60", due_on=today + dt.timedelta(days=5))
    CheckInFactory(worker=worker, kind="day_90", due_on=today + dt.timedelta(days=50))  # not yet
    CheckInFactory(worker=worker, kind="ad_hoc", due_on=today - dt.timedelta(days=3), done_on=today)  # done
    RiskFlagFactory(worker=worker, severity="high")
    RiskFlagFactory(
        worker=worker,
        rule_code="tenure_cap_approaching",
        severity="medium",
        evidence={"facts": {"cap_date": (today + dt.timedelta(days=60)).isoformat()}, "summary": "", "sources": []},
    )
    interview = ScreeningFactory(client=worker.client, stage="interview")
    scored = ScreeningFactory(client=worker.client, stage="interview")
    InterviewScorecardFactory(screening=scored, interviewer=admin.user, submitted_at=timezone.now())
    ScreeningFactory(client=worker.client, stage="decision")
    # Another client's work.
    stranger = WorkerFactory(first_name="Theo")
    CheckInFactory(worker=stranger, due_on=today - dt.timedelta(days=1))
    RiskFlagFactory(worker=stranger)

    items = inbox_items(actor=admin, today=today)
    kinds = [item.kind for item in items]
    assert kinds.count("Check-in") == 2 and kinds.count("Risk flag") == 1 and kinds.count("Tenure cap") == 1
    assert kinds.count("Scorecard") == 1 and kinds.count("Decision") == 1
    assert [item.due for item in items] == sorted(item.due for item in items)
    assert items[0].title == "Day 30 check-in with Mina Kovacs" and items[0].tone == "failed"
    assert items[-1].kind == "Tenure cap"
    assert not any("Theo" in item.title for item in items)

    client.force_login(admin.user)
    inbox = _inbox_html(client.get("/").content.decode())
    assert f"/workers/{worker.id}/?action=check-in#action-panel" in inbox
    assert f"/screening/{interview.id}/#interview" in inbox and f"/screening/{scored.id}/" not in inbox
    assert "10 days late" in inbox and "in 5 days" in inbox
    assert "Theo" not in inbox
    assert inbox.index("Day 30 check-in") < inbox.index("Day 60 check-in")
    assert overdue.worker.full_name in inbox


def test_a_payroll_officers_inbox(client, today):
    worker = WorkerFactory(first_name="Ana", last_name="Silva")
    officer = make_actor(worker.provider.organization, role=Role.PAYROLL_OFFICER)
    entry = PayrollEntryFactory(worker=worker, status="failed", failure_reason="IBAN rejected by the bank")
    item = ComplianceItemFactory(worker=worker, status="verified", expires_on=today + dt.timedelta(days=9))
    PayrollEntryFactory(worker=WorkerFactory(), status="failed", failure_reason="x")  # another provider's
    client.force_login(officer.user)
    inbox = _inbox_html(client.get("/").content.decode())
    assert "IBAN rejected by the bank" in inbox and f"/provider/payroll/entries/{entry.id}/" in inbox
    assert f"/provider/compliance/{item.id}/" in inbox and "Right to work of Ana Silva expires" in inbox
    assert inbox.count("<li") == 2


def test_an_empty_inbox_says_so(client):
    admin = make_actor(WorkerFactory().client)
    client.force_login(admin.user)
    assert "Nothing needs you right now" in client.get("/").content.decode()


def test_home_query_count_does_not_grow_with_the_inbox(client, today):
    worker = WorkerFactory(start_date=today - dt.timedelta(days=40))
    admin = make_actor(worker.client, role=Role.CLIENT_ADMIN)
    client.force_login(admin.user)
    CheckInFactory(worker=worker, kind="day_30", due_on=today)
    RiskFlagFactory(worker=worker)
    ScreeningFactory(client=worker.client, stage="interview")
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for _ in range(4):
        other = WorkerFactory(client=worker.client, provider=worker.provider, start_date=today - dt.timedelta(days=20))
        CheckInFactory(worker=other, kind="day_30", due_on=today + dt.timedelta(days=2))
        RiskFlagFactory(worker=other)
        ScreeningFactory(client=worker.client, stage="decision")
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)
