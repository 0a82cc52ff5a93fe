"""A client admin logs in through the browser and sees their own workers, not another client's."""

import pytest

from accounts.choices import Role
from accounts.tests.factories import ClientFactory, MembershipFactory, UserFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.e2e

PASSWORD = "pw-test-123"  # UserFactory's password


def test_client_admin_logs_in_and_sees_only_their_workers(live_server, page, console_log, login):
    acme = ClientFactory(name="Acme Analytics")
    other_client = ClientFactory(name="Globex")
    admin = UserFactory(email="admin@acme.e2e.test")
    MembershipFactory(user=admin, organization=acme, role=Role.CLIENT_ADMIN)
    WorkerFactory(client=acme, first_name="Ada", last_name="Lovelace")
    WorkerFactory(client=other_client, first_name="Boris", last_name="Globexson")

    page.goto(f"{live_server.url}/workers/")
    assert "/login/" in page.url  # anonymous visitors are sent to the login page

    login(admin.email, PASSWORD, next_path="/workers/")

    assert page.url == f"{live_server.url}/workers/"
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "Ada Lovelace" in rows.first.inner_text()
    assert page.get_by_text("Boris Globexson").count() == 0
    # The stylesheet and scripts are served by us and allowed by the CSP: nothing was refused.
    assert page.evaluate("getComputedStyle(document.body).margin") != "8px", "app.css was not applied"
    assert console_log.errors == []


def test_wrong_password_stays_on_login_page_with_an_error(live_server, page, console_log):
    user = UserFactory(email="someone@acme.e2e.test")
    MembershipFactory(user=user, organization=ClientFactory())

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    assert "/login/" in page.url
    assert page.locator(".errorlist").count() >= 1
    assert console_log.csp_violations() == []
