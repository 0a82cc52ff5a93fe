"""A member of two client organizations switches between them with the header's organization menu
(static/js/app.js submits it on change) and then sees the other organization's workers only."""

import pytest

from accounts.choices import Role
from accounts.tests.factories import ClientFactory, MembershipFactory, UserFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.e2e


def _worker_names(page) -> list[str]:
    return [name.strip() for name in page.locator("table tbody td:first-child a").all_inner_texts()]


def test_switching_organization_changes_the_workers_shown(live_server, page, login):
    acme, globex = ClientFactory(name="Acme Analytics"), ClientFactory(name="Globex")
    user = UserFactory(email="consultant@e2e.test")
    MembershipFactory(user=user, organization=acme, role=Role.CLIENT_ADMIN)
    MembershipFactory(user=user, organization=globex, role=Role.CLIENT_ADMIN)
    WorkerFactory(client=acme, first_name="Ada", last_name="Lovelace")
    WorkerFactory(client=globex, first_name="Boris", last_name="Globexson")
    worker_of = {str(acme.id): ["Ada Lovelace"], str(globex.id): ["Boris Globexson"]}

    login(user.email, "pw-test-123", next_path="/workers/")
    active = page.locator("#org-switch").input_value()
    assert _worker_names(page) == worker_of[active]

    other = str(globex.id) if active == str(acme.id) else str(acme.id)
    with page.expect_navigation():
        page.locator("#org-switch").select_option(other)  # no button: the script submits the form
    page.goto(f"{live_server.url}/workers/")

    assert page.locator("#org-switch").input_value() == other
    assert _worker_names(page) == worker_of[other]
