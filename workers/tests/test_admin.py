import pytest

from accounts.tests.factories import UserFactory, login_with_second_factor
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    login_with_second_factor(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_cannot_edit_status_directly(staff_client):
    worker = WorkerFactory(status="onboarding")
    page = staff_client.get(f"/admin/workers/worker/{worker.id}/change/").content.decode()
    assert 'name="status"' not in page


def test_admin_activate_action_holds_the_gate(staff_client):
    from screening.tests.factories import CandidateFactory, ScreeningFactory

    blocked = WorkerFactory(status="onboarding")
    screened = WorkerFactory(status="onboarding")
    ScreeningFactory(
        client=screened.client, candidate=CandidateFactory(client=screened.client, worker=screened), status="passed"
    )
    response = staff_client.post(
        "/admin/workers/worker/",
        {"action": "activate_selected", "_selected_action": [str(blocked.id), str(screened.id)]},
        follow=True,
    )
    assert "no passed screening" in response.content.decode()
    blocked.refresh_from_db()
    screened.refresh_from_db()
    assert blocked.status == "onboarding"
    assert screened.status == "active"
