"""The three journeys of issue 11's "Done means", end to end in Debian's Chromium at 1366 and 390 px,
with axe-core on each page and screenshots under var/e2e-artifacts/:

- a hiring manager: home → worker → check-in → an assignment refused by the gate, then accepted →
  end an assignment → offboard;
- a client admin: override the gate for an unscreened worker, create and revoke an API key;
- a payroll officer: a run → paid with one failure → a CSV dry run → apply.
"""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.models import ApiKey
from accounts.services import API_KEY_PREFIX
from accounts.tests.factories import ClientFactory, MembershipFactory, UserFactory
from assignments.models import Assignment
from assignments.tests.factories import AssignmentFactory, TeamFactory
from providers.models import PayrollEntry
from providers.tests.factories import PayrollEntryFactory, PayrollRunFactory, ProviderFactory
from screening.tests.factories import CandidateFactory, ScreeningFactory
from workers.models import Worker
from workers.tests.factories import CheckInFactory, WorkerFactory

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

PASSWORD = "pw-test-123"  # UserFactory's password
WIDTHS = [pytest.param(DESKTOP, id="1366px"), pytest.param(PHONE, id="390px")]


def _go(page, name: str) -> None:
    """Follow a main-menu link, opening the folded phone menu first when there is one."""
    toggle = page.get_by_role("button", name="Menu")
    if toggle.is_visible():
        toggle.click()
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def _click(page, role: str, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).first.click()


def _save_confirming_risks(page, button: str, anyway: str) -> None:
    """Save; when the page warns before saving (the flags the change would open), save anyway."""
    _click(page, "button", button)
    if page.locator(".risk-preview").count():
        _click(page, "button", anyway)


def _screened(worker):
    ScreeningFactory(
        client=worker.client, candidate=CandidateFactory(client=worker.client, worker=worker), status="passed"
    )
    return worker


@pytest.mark.parametrize("width", WIDTHS)
def test_hiring_manager_journey(live_server, page, login, checker, width):
    page.set_viewport_size({"width": width, "height": 900})
    today = timezone.localdate()
    acme = ClientFactory(name="Acme Analytics")
    provider = ProviderFactory(legal_name="Berlin EoR GmbH")
    manager = UserFactory(email="manager@acme.e2e.test", first_name="Hana", last_name="Lee")
    MembershipFactory(user=manager, organization=acme, role=Role.HIRING_MANAGER)
    team = TeamFactory(client=acme, name="Data platform")
    team.managers.add(manager)
    mina = _screened(
        WorkerFactory(
            client=acme,
            provider=provider,
            first_name="Mina",
            last_name="Kovacs",
            start_date=today - dt.timedelta(days=33),
        )
    )
    AssignmentFactory(worker=mina, team=team, manager=manager, starts_on=mina.start_date, status="active")
    check_in = CheckInFactory(worker=mina, kind="day_30", due_on=mina.start_date + dt.timedelta(days=30))
    WorkerFactory(client=acme, provider=provider, first_name="Boris", last_name="Unscreened", status="onboarding")
    cleo = _screened(WorkerFactory(client=acme, provider=provider, first_name="Cleo", last_name="Screened"))

    login(manager.email, PASSWORD)
    checker.check("home")
    # The inbox leads straight to the overdue check-in, opened on the worker's page.
    _click(page, "link", "Day 30 check-in with Mina Kovacs")
    checker.check("worker-check-in")
    page.get_by_label("Engagement").select_option("4")
    page.get_by_label("Role clarity").select_option("2")
    page.get_by_label("Manager relationship").select_option("5")
    _click(page, "button", "Record a check-in")
    assert "Day 30 check-in recorded." in page.inner_text(".messages")
    check_in.refresh_from_db()
    assert check_in.done_on == today and check_in.role_clarity == 2
    checker.check("worker-after-check-in")

    # Assigning an unscreened worker is refused by the gate, with the way out; a screened one is accepted.
    _click(page, "link", "Assign to a team")
    form_url = page.url
    page.get_by_label("Worker:", exact=True).select_option(label="Boris Unscreened")
    page.get_by_label("Team:", exact=True).select_option(label="Data platform")
    page.get_by_label("Role:", exact=True).fill("Analyst")
    page.get_by_label("Weekly hours:", exact=True).fill("40")
    _click(page, "button", "Save")
    assert "has no passed screening" in page.inner_text("#main")
    checker.check("assignment-refused")
    page.get_by_label("Worker:", exact=True).select_option(label="Cleo Screened")
    _save_confirming_risks(page, "Save", "Save anyway")
    assert "Assignment created." in page.inner_text(".messages")
    assert page.url.endswith(f"/workers/{cleo.id}/") and form_url != page.url
    assert Assignment.objects.filter(worker=cleo, team=team).exists()
    checker.check("assignment-accepted")

    # End Mina's assignment from her page, then offboard her: the page asks for confirmation.
    page.goto(f"{live_server.url}/workers/{mina.id}/")
    _click(page, "link", "End the assignment")
    checker.check("end-assignment")
    _save_confirming_risks(page, "End assignment", "End anyway")
    assert "Assignment ended." in page.inner_text(".messages")
    page.get_by_role("link", name="Offboard").click()  # htmx opens the panel in place
    page.get_by_label("Last day").wait_for()
    checker.check("offboard-panel")
    page.get_by_label("Last day").fill(today.isoformat())
    page.get_by_label("Reason").select_option("voluntary")
    _click(page, "button", "Offboard")
    assert "Tick the box to confirm" in page.inner_text("#action-panel")
    mina.refresh_from_db()
    assert mina.status == "active"
    page.get_by_label("Yes, offboard this worker on that day").check()
    _click(page, "button", "Offboard")
    assert "Mina Kovacs was offboarded." in page.inner_text(".messages")
    assert Worker.objects.get(pk=mina.pk).status == "offboarded"
    checker.check("offboarded")


@pytest.mark.parametrize("width", WIDTHS)
def test_client_admin_journey(live_server, page, login, checker, width):
    page.set_viewport_size({"width": width, "height": 900})
    acme = ClientFactory(name="Acme Analytics")
    admin = UserFactory(email="admin@acme.e2e.test", first_name="Alice", last_name="Moreau")
    MembershipFactory(user=admin, organization=acme, role=Role.CLIENT_ADMIN)
    boris = WorkerFactory(client=acme, first_name="Boris", last_name="Unscreened", status="onboarding", start_date=None)

    login(admin.email, PASSWORD)
    _go(page, "Workers")
    checker.check("workers")
    _click(page, "link", "Boris Unscreened")
    checker.check("worker")
    page.get_by_role("link", name="Override the screening gate").click()
    reason = page.get_by_label("Why may this worker skip a passed screening?")
    reason.wait_for()
    checker.check("override-panel")
    _click(page, "button", "Override the screening gate")
    assert "This field is required." in page.inner_text("#action-panel")  # no reason, no override
    page.get_by_label("Why may this worker skip a passed screening?").fill(
        "Worked with us for three years via an agency"
    )
    _click(page, "button", "Override the screening gate")
    assert "the override is recorded" in page.inner_text(".messages")
    boris.refresh_from_db()
    assert boris.gate_override_reason == "Worked with us for three years via an agency"
    assert boris.gate_override_by == admin

    _go(page, "API keys")
    checker.check("api-keys")
    page.get_by_label("Name").fill("Workday sync")
    page.get_by_label("Workers and check-ins: read", exact=True).check()
    page.get_by_label("Teams and assignments: read and write").check()
    _click(page, "button", "Create key")
    raw_key = page.locator("#new-api-key").inner_text()
    assert raw_key.startswith(f"{API_KEY_PREFIX}_")
    key = ApiKey.objects.get(name="Workday sync")
    assert key.scopes == ["assignments:write", "workers:read"]
    checker.check("api-key-created")
    response = page.request.get(f"{live_server.url}/api/v1/workers/", headers={"Authorization": f"Bearer {raw_key}"})
    assert response.status == 200

    _go(page, "API keys")
    assert raw_key not in page.content()  # shown once
    _click(page, "button", "Revoke Workday sync")
    assert "is revoked" in page.inner_text(".messages")
    key.refresh_from_db()
    assert key.revoked_at is not None
    checker.check("api-key-revoked")
    response = page.request.get(f"{live_server.url}/api/v1/workers/", headers={"Authorization": f"Bearer {raw_key}"})
    assert response.status == 401


@pytest.mark.parametrize("width", WIDTHS)
def test_payroll_officer_journey(live_server, page, login, checker, width):
    page.set_viewport_size({"width": width, "height": 900})
    provider = ProviderFactory(legal_name="Berlin EoR GmbH")
    acme = ClientFactory(name="Acme Analytics")
    officer = UserFactory(email="payroll@eor.e2e.test")
    MembershipFactory(user=officer, organization=provider.organization, role=Role.PAYROLL_OFFICER)
    fern = WorkerFactory(provider=provider, client=acme, first_name="Fern", last_name="Failing", external_id="W-1")
    paid = [
        WorkerFactory(
            provider=provider, client=acme, first_name="Paula", last_name=f"Paid{i}", external_id=f"W-{i + 2}"
        )
        for i in range(2)
    ]
    october = PayrollRunFactory(
        provider=provider, country="DE", period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31)
    )
    november = PayrollRunFactory(
        provider=provider, country="DE", period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 11, 30)
    )
    for worker in (fern, *paid):
        PayrollEntryFactory(run=october, worker=worker)
        PayrollEntryFactory(run=november, worker=worker)

    login(officer.email, PASSWORD)
    checker.check("home")
    _go(page, "Provider")
    _click(page, "link", "Payroll runs")
    checker.check("payroll-runs")
    _click(page, "link", "2026-10-01 – 2026-10-31")
    page.get_by_label("Select all").check()
    page.get_by_label("Select Fern Failing").uncheck()
    page.locator("#bulk-status").select_option("paid")
    _click(page, "button", "Apply to selected")
    assert "2 entries marked paid." in page.inner_text(".messages")
    page.get_by_label("Select Fern Failing").check()
    page.locator("#bulk-status").select_option("failed")
    page.locator("#bulk-failure-reason").fill("Bank rejected the IBAN")
    _click(page, "button", "Apply to selected")
    assert "1 entry marked failed." in page.inner_text(".messages")
    checker.check("payroll-run")
    statuses = dict(PayrollEntry.objects.filter(run=october).values_list("worker_id", "status"))
    assert statuses == {fern.id: "failed", paid[0].id: "paid", paid[1].id: "paid"}

    # November by CSV: a dry run shows what would change, and applying writes it.
    _go(page, "Provider")
    _click(page, "link", "CSV import")
    checker.check("csv-import")
    page.get_by_label("What the file contains").select_option("payroll_entries")
    csv = (
        "worker_external_id,period_start,status,failure_reason,paid_at\n"
        "W-1,2026-11-01,paid,,2026-11-30\nW-2,2026-11-01,paid,,2026-11-30\nW-3,2026-11-01,on_hold,,\n"
    )
    page.get_by_label("File:", exact=True).set_input_files(
        files=[{"name": "november.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    _click(page, "button", "Upload and check (dry run)")
    assert "Checked" in page.inner_text("h1")
    assert PayrollEntry.objects.filter(run=november, status="paid").count() == 0  # a dry run writes nothing
    checker.check("csv-dry-run")
    _click(page, "button", "Apply all 3 change(s)")
    assert "Applied" in page.inner_text("h1")
    statuses = dict(PayrollEntry.objects.filter(run=november).values_list("worker_id", "status"))
    assert statuses == {fern.id: "paid", paid[0].id: "paid", paid[1].id: "on_hold"}
    checker.check("csv-applied")
