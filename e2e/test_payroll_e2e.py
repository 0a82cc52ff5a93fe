"""A provider's payroll officer marks a run paid with one failure in the browser; the client's
hiring manager then sees that failure on the worker's page."""

import datetime as dt

import pytest

from accounts.choices import Role
from accounts.tests.factories import ClientFactory, MembershipFactory, UserFactory
from assignments.tests.factories import AssignmentFactory, TeamFactory
from providers.models import PayrollEntry
from providers.tests.factories import PayrollEntryFactory, PayrollRunFactory, ProviderFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.e2e

PASSWORD = "pw-test-123"  # UserFactory's password


def test_payroll_officer_marks_run_paid_with_one_failure_and_manager_sees_it(live_server, page, login):
    provider = ProviderFactory(legal_name="Berlin EoR GmbH")
    client = ClientFactory(name="Acme Analytics")
    officer = UserFactory(email="payroll@eor.e2e.test")
    MembershipFactory(user=officer, organization=provider.organization, role=Role.PAYROLL_OFFICER)
    manager = UserFactory(email="manager@acme.e2e.test")
    MembershipFactory(user=manager, organization=client, role=Role.HIRING_MANAGER)
    team = TeamFactory(client=client, name="Data platform")
    team.managers.add(manager)

    failing = WorkerFactory(provider=provider, client=client, first_name="Fern", last_name="Failing", country="DE")
    others = [
        WorkerFactory(provider=provider, client=client, first_name="Paula", last_name=f"Paid{i}", country="DE")
        for i in range(2)
    ]
    for worker in (failing, *others):
        AssignmentFactory(worker=worker, team=team, client=client)
    run = PayrollRunFactory(
        provider=provider, country="DE", period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31)
    )
    for worker in (failing, *others):
        PayrollEntryFactory(run=run, worker=worker)

    # The payroll officer marks everyone but Fern paid, then Fern failed with a reason.
    login(officer.email, PASSWORD)
    page.get_by_role("link", name="Provider").click()
    page.get_by_role("link", name="Payroll runs").click()
    page.get_by_role("link", name="2026-10-01 – 2026-10-31").click()
    page.get_by_label("Select all").check()
    page.get_by_label("Select Fern Failing").uncheck()
    page.locator("#bulk-status").select_option("paid")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to selected").click()
    assert "2 entries marked paid." in page.inner_text(".messages")

    page.get_by_label("Select Fern Failing").check()
    page.locator("#bulk-status").select_option("failed")
    page.locator("#bulk-failure-reason").fill("Bank rejected the IBAN")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to selected").click()
    assert "1 entry marked failed." in page.inner_text(".messages")
    assert "Completed" in page.inner_text("h1")
    statuses = dict(PayrollEntry.objects.filter(run=run).values_list("worker_id", "status"))
    assert statuses == {failing.id: "failed", others[0].id: "paid", others[1].id: "paid"}

    # The client's hiring manager sees the failure on the worker's page.
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    login(manager.email, PASSWORD)
    page.goto(f"{live_server.url}/workers/{failing.id}/")
    warning = page.locator("#payroll-compliance [role=alert]").first
    assert "The latest payroll (October 2026) failed: Bank rejected the IBAN." in warning.inner_text()
    history = page.locator("#payroll-compliance table").first.inner_text()
    assert "October 2026" in history and "Failed" in history

    # A worker whose payroll went out shows no payroll warning.
    page.goto(f"{live_server.url}/workers/{others[0].id}/")
    assert "The latest payroll" not in page.inner_text("#payroll-compliance")
