"""Warn before saving in the browser (issue #12): on the contract page and the worker-dates page a
change that raises risk flags shows them first (axe-checked, no sideways scroll at 360 px) and saves
only after "Save anyway"."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import ClientFactory, MembershipFactory, UserFactory
from assignments.tests.factories import AssignmentFactory
from providers.models import EmploymentContract
from providers.tests.factories import EmploymentContractFactory, LegalEntityFactory
from risks.rules.tenure import add_months
from workers.tests.factories import WorkerFactory

from .conftest import NARROWEST

pytestmark = pytest.mark.e2e

PASSWORD = "pw-test-123"  # UserFactory's password


@pytest.fixture
def placement():
    """A German placement 17 months in, employed by a signed contract: no flag today."""
    today = timezone.localdate()
    client = ClientFactory()
    worker = WorkerFactory(client=client, country="DE", start_date=add_months(today, -17), first_name="Greta")
    entity = LegalEntityFactory(provider=worker.provider, country="DE", staffing_licence_number="AÜG-1")
    contract = EmploymentContractFactory(worker=worker, legal_entity=entity, starts_on=worker.start_date)
    AssignmentFactory(worker=worker, starts_on=worker.start_date, ends_on=today + dt.timedelta(days=20))
    return {"today": today, "client": client, "worker": worker, "contract": contract}


def _member(organization, role):
    user = UserFactory()
    MembershipFactory(user=user, organization=organization, role=role)
    return user.email


def _submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def test_contract_page_warns_then_saves_anyway(placement, live_server, page, checker, login):
    page.set_viewport_size({"width": NARROWEST, "height": 900})
    login(_member(placement["worker"].provider.organization, Role.PROVIDER_ADMIN), PASSWORD)
    page.goto(f"{live_server.url}/workers/{placement['worker'].id}/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Edit the contract from {placement['contract'].starts_on.isoformat()}").click()
    checker.check("contract-edit")
    page.get_by_label("Contract type").select_option("contractor")
    _submit(page, "Save")
    warning = page.locator(".risk-preview")
    assert "Contractor under full-time client direction" in warning.inner_text()
    checker.check("contract-edit-warning")
    assert EmploymentContract.objects.get(pk=placement["contract"].pk).contract_type == "employment"
    _submit(page, "Save anyway")
    assert "Contract saved." in page.inner_text(".messages")
    assert EmploymentContract.objects.get(pk=placement["contract"].pk).contract_type == "contractor"


def test_worker_dates_page_warns_then_saves_anyway(placement, live_server, page, checker, login):
    page.set_viewport_size({"width": NARROWEST, "height": 900})
    login(_member(placement["client"], Role.CLIENT_ADMIN), PASSWORD)
    page.goto(f"{live_server.url}/workers/{placement['worker'].id}/dates/")
    checker.check("worker-dates")
    moved = placement["today"] - dt.timedelta(days=40)
    page.get_by_label("Start date").fill(moved.isoformat())
    _submit(page, "Save")
    assert "30/60/90-day check-in overdue" in page.locator(".risk-preview").inner_text()  # its name, not its code
    checker.check("worker-dates-warning")
    _submit(page, "Save anyway")
    assert "Dates saved." in page.inner_text(".messages")
    placement["worker"].refresh_from_db()
    assert placement["worker"].start_date == moved
