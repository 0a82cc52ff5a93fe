import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import make_actor
from workers.models import CheckIn
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    mine = WorkerFactory(first_name="Mina")
    theirs = WorkerFactory(first_name="Theo")
    actor = make_actor(mine.client)
    client.force_login(actor.user)
    return {"mine": mine, "theirs": theirs, "actor": actor, "client": client}


def test_login_required(client):
    response = client.get("/workers/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_worker_list_shows_only_own_workers(setup):
    body = setup["client"].get("/workers/").content.decode()
    assert "Mina" in body and "Theo" not in body


def test_worker_list_filters_through_the_shared_filterset(setup):
    WorkerFactory(client=setup["mine"].client, provider=setup["mine"].provider, first_name="Zed", status="onboarding")
    body = setup["client"].get("/workers/", {"status": "onboarding"}).content.decode()
    assert "Zed" in body and "Mina" not in body


def test_other_tenants_worker_page_is_404(setup):
    assert setup["client"].get(f"/workers/{setup['theirs'].id}/").status_code == 404
    response = setup["client"].post(
        f"/workers/{setup['theirs'].id}/",
        {"action": "offboard", "exit_date": "2026-03-01", "exit_reason": "voluntary", "confirm": "on"},
    )
    assert response.status_code == 404
    setup["theirs"].refresh_from_db()
    assert setup["theirs"].status == "active"


def test_worker_list_query_count_is_constant(setup):
    setup["client"].get("/workers/")
    with CaptureQueriesContext(connection) as few:
        setup["client"].get("/workers/")
    WorkerFactory.create_batch(12, client=setup["mine"].client, provider=setup["mine"].provider)
    with CaptureQueriesContext(connection) as many:
        setup["client"].get("/workers/")
    assert len(many) == len(few)


def test_check_in_page_query_count_is_constant_and_scoped(setup):
    CheckInFactory(worker=setup["mine"])
    CheckInFactory(worker=setup["theirs"])
    setup["client"].get("/workers/check-ins/")
    with CaptureQueriesContext(connection) as few:
        body = setup["client"].get("/workers/check-ins/").content.decode()
    assert "Mina" in body and "Theo" not in body
    for _ in range(8):
        CheckInFactory(worker=WorkerFactory(client=setup["mine"].client))
    with CaptureQueriesContext(connection) as many:
        setup["client"].get("/workers/check-ins/")
    assert len(many) == len(few)


def test_record_check_in_from_the_worker_page(setup):
    check_in = CheckInFactory(worker=setup["mine"], due_on=dt.date(2026, 2, 14))
    url = f"/workers/{setup['mine'].id}/"
    bad = setup["client"].post(
        url, {"action": "check-in", "check_in": str(check_in.id), "done_on": "2026-02-14", "engagement": "4"}
    )
    assert bad.status_code == 400
    assert "This field is required." in bad.content.decode()
    ok = setup["client"].post(
        url,
        {
            "action": "check-in",
            "check_in": str(check_in.id),
            "done_on": "2026-02-14",
            "engagement": "4",
            "role_clarity": "2",
            "manager_relationship": "5",
        },
    )
    assert ok.status_code == 302
    check_in.refresh_from_db()
    assert check_in.role_clarity == 2


def test_viewer_cannot_offboard(client):
    worker = WorkerFactory()
    viewer = make_actor(worker.client, role="viewer")
    client.force_login(viewer.user)
    response = client.post(
        f"/workers/{worker.id}/",
        {"action": "offboard", "exit_date": "2026-03-01", "exit_reason": "voluntary", "confirm": "on"},
    )
    assert response.status_code == 403
    worker.refresh_from_db()
    assert worker.status == "active"


def test_offboard_from_page(setup):
    url = f"/workers/{setup['mine'].id}/"
    data = {"action": "offboard", "exit_date": "2026-03-01", "exit_reason": "", "confirm": "on"}
    assert setup["client"].post(url, data).status_code == 400
    response = setup["client"].post(url, {**data, "exit_reason": "voluntary"})
    assert response.status_code == 302
    setup["mine"].refresh_from_db()
    assert setup["mine"].status == "offboarded"
    assert CheckIn.objects.count() == 0


def test_worker_page_shows_assignments_and_screening_outcome_but_providers_never_see_scores(client):
    from assignments.tests.factories import AssignmentFactory
    from screening.tests.factories import CandidateFactory, ScreeningFactory

    worker = WorkerFactory()
    AssignmentFactory(worker=worker, role="Data engineer", weekly_hours=32)
    screening = ScreeningFactory(
        client=worker.client,
        candidate=CandidateFactory(client=worker.client, worker=worker),
        status="passed",
        composite_score=71.25,
    )
    client.force_login(make_actor(worker.client).user)
    body = client.get(f"/workers/{worker.id}/").content.decode()
    assert "Data engineer" in body and "32" in body
    assert "71.25" in body and f"/screening/{screening.id}/" in body

    client.force_login(make_actor(worker.provider.organization).user)
    provider_body = client.get(f"/workers/{worker.id}/").content.decode()
    assert "Data engineer" in provider_body and "Passed" in provider_body
    assert "71.25" not in provider_body and f"/screening/{screening.id}/" not in provider_body


def test_gate_override_reason_is_the_clients_not_the_providers(client):
    worker = WorkerFactory(gate_override_reason="Strong referral from our CTO; skipped the work sample")
    client.force_login(make_actor(worker.client).user)
    assert "Strong referral" in client.get(f"/workers/{worker.id}/").content.decode()
    client.force_login(make_actor(worker.provider.organization).user)
    provider_page = client.get(f"/workers/{worker.id}/").content.decode()
    assert "Strong referral" not in provider_page
    assert "not screened" in provider_page


def test_pages_show_iso_dates(setup):
    body = setup["client"].get(f"/workers/{setup['mine'].id}/").content.decode()
    assert "2026-01-15" in body  # the factory's start date, not "Jan. 15, 2026"
