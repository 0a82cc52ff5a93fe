import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import make_actor
from assignments.choices import AssignmentStatus
from assignments.models import Assignment, Team
from assignments.tests.factories import AssignmentFactory, TeamFactory
from outstaff.tests.pages import post_confirming_risks
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(world, client):
    client.force_login(world["admin_a"].user)
    return client


@pytest.fixture
def placed(world):
    mine = AssignmentFactory(
        worker=world["worker_a"],
        team=world["team_a"],
        starts_on=dt.date(2026, 1, 1),
        manager=world["admin_a"].user,
        schedule_set_by_client=True,
        weekly_hours=38,
    )
    theirs = AssignmentFactory(worker=world["worker_b"], team=world["team_b"], starts_on=dt.date(2026, 1, 1))
    return mine, theirs


def test_team_list_shows_own_teams_with_active_counts(world, placed, logged_in):
    ended_worker = WorkerFactory(client=world["client_a"], provider=world["provider"])
    AssignmentFactory(
        worker=ended_worker, team=world["team_a"], starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 2, 1)
    )
    response = logged_in.get("/teams/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Platform" in html and "Payments" not in html
    assert [(t.name, t.active_assignments_count) for t in response.context["teams"]] == [("Platform", 1)]
    assert 'href="/teams/"' in html  # the nav link


def test_team_detail_lists_its_assignments(world, placed, logged_in):
    response = logged_in.get(f"/teams/{world['team_a'].id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Lovelace" in html and "38" in html and "Client" in html
    assert str(world["admin_a"].user) in html
    assert "Bob Brown" not in html


def test_other_clients_pages_are_404(world, placed, logged_in):
    _, theirs = placed
    team_b = world["team_b"]
    assert logged_in.get(f"/teams/{team_b.id}/").status_code == 404
    assert logged_in.get(f"/teams/{team_b.id}/edit/").status_code == 404
    assert logged_in.get(f"/teams/{team_b.id}/assignments/new/").status_code == 404
    assert logged_in.get(f"/teams/assignments/{theirs.id}/edit/").status_code == 404
    assert logged_in.get(f"/teams/assignments/{theirs.id}/end/").status_code == 404
    assert logged_in.post(f"/teams/assignments/{theirs.id}/end/", {"ends_on": "2026-02-01"}).status_code == 404
    assert logged_in.post(f"/teams/assignments/{theirs.id}/cancel/").status_code == 404
    assert logged_in.post(f"/teams/{team_b.id}/edit/", {"name": "Hacked"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.ends_on is None and theirs.status != AssignmentStatus.CANCELLED
    assert Team.objects.get(id=team_b.id).name == "Payments"


def test_create_assignment_through_the_form(world, logged_in):
    other = WorkerFactory(client=world["client_a"], provider=world["provider"], gate_override_reason="CTO referral")
    url = f"/teams/{world['team_a'].id}/assignments/new/"
    assert logged_in.get(url).status_code == 200
    # The worker has no signed contract yet: the page warns first (risks' warn before saving, tested
    # there); this test is about saving the form, so it confirms.
    response = post_confirming_risks(
        logged_in,
        url,
        {
            "worker": other.id,
            "team": world["team_a"].id,
            "manager": world["admin_a"].user.id,
            "role": "SRE",
            "starts_on": "2026-02-01",
            "weekly_hours": "40",
            "directed_by": "client",
            "schedule_set_by_client": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assignment = Assignment.objects.get(worker=other)
    assert assignment.role == "SRE" and assignment.schedule_set_by_client
    assert response["Location"] == f"/teams/{world['team_a'].id}/"


def test_service_errors_show_on_the_form(world, placed, logged_in):
    url = f"/teams/{world['team_a'].id}/assignments/new/"
    data = {
        "worker": world["worker_a"].id,
        "team": world["team_a"].id,
        "role": "SRE",
        "starts_on": "2026-06-01",
        "weekly_hours": "40",
        "directed_by": "client",
    }
    response = logged_in.post(url, data)
    assert response.status_code == 200
    assert "overlaps these dates" in response.context["form"].errors["starts_on"][0]
    assert "overlaps these dates" in response.content.decode()
    unscreened = WorkerFactory(client=world["client_a"], provider=world["provider"])
    response = logged_in.post(url, {**data, "worker": unscreened.id})
    assert "has no passed screening" in response.context["form"].errors["worker"][0]
    # A worker of another client is not even a choice.
    response = logged_in.post(url, {**data, "worker": world["worker_b"].id})
    assert "worker" in response.context["form"].errors
    assert Assignment.objects.count() == 2


def test_edit_and_end_through_the_forms(world, placed, logged_in):
    mine, _ = placed
    edit_url = f"/teams/assignments/{mine.id}/edit/"
    response = logged_in.get(edit_url)
    assert response.status_code == 200 and response.context["form"].initial["role"] == mine.role
    response = post_confirming_risks(  # past risk warnings (tested in risks/tests/test_preview.py)
        logged_in,
        edit_url,
        {
            "team": world["team_a"].id,
            "role": "Staff engineer",
            "starts_on": "2026-01-01",
            "weekly_hours": "30",
            "directed_by": "client",
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.role == "Staff engineer" and mine.weekly_hours == 30 and mine.manager is None
    response = logged_in.post(f"/teams/assignments/{mine.id}/end/", {"ends_on": "2025-12-01"})
    assert response.status_code == 200 and "before the start date" in response.content.decode()
    response = post_confirming_risks(logged_in, f"/teams/assignments/{mine.id}/end/", {"ends_on": "2026-03-31"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.ends_on == dt.date(2026, 3, 31) and mine.status == AssignmentStatus.ENDED
    response = logged_in.post(f"/teams/assignments/{mine.id}/cancel/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == AssignmentStatus.CANCELLED


def test_team_create_and_edit(world, logged_in):
    response = logged_in.post("/teams/new/", {"name": "Data", "managers": [world["admin_a"].user.id]})
    assert response.status_code == 302
    team = Team.objects.get(client=world["client_a"], name="Data")
    assert list(team.managers.all()) == [world["admin_a"].user]
    response = logged_in.post("/teams/new/", {"name": "Data"})
    assert response.status_code == 200 and response.context["form"].errors
    response = logged_in.post(f"/teams/{team.id}/edit/", {"name": "Data platform"})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Data platform" and not team.managers.exists()


def test_viewer_reads_but_cannot_change(world, placed, client):
    mine, _ = placed
    viewer = make_actor(world["client_a"], role="viewer")
    client.force_login(viewer.user)
    response = client.get(f"/teams/{world['team_a'].id}/")
    assert response.status_code == 200 and "New assignment" not in response.content.decode()
    assert client.get(f"/teams/{world['team_a'].id}/assignments/new/").status_code == 403
    assert client.post(f"/teams/assignments/{mine.id}/end/", {"ends_on": "2026-02-01"}).status_code == 403
    assert client.post("/teams/new/", {"name": "Nope"}).status_code == 403


def test_hiring_manager_sees_only_teams_they_manage(world, placed, client):
    manager = make_actor(world["client_a"], role="hiring_manager")
    managed = TeamFactory(client=world["client_a"], name="Managed")
    managed.managers.add(manager.user)
    client.force_login(manager.user)
    response = client.get("/teams/")
    assert [t.name for t in response.context["teams"]] == ["Managed"]
    assert client.get(f"/teams/{world['team_a'].id}/").status_code == 404
    assert client.get(f"/teams/{managed.id}/").status_code == 200
    assert client.get("/teams/new/").status_code == 403


def test_provider_sees_no_teams_and_cannot_open_forms(world, placed, client):
    provider = make_actor(world["provider"].organization)
    client.force_login(provider.user)
    response = client.get("/teams/")
    assert response.status_code == 200 and list(response.context["teams"]) == []
    assert client.get(f"/teams/{world['team_a'].id}/").status_code == 404
    mine, _ = placed
    assert client.post(f"/teams/assignments/{mine.id}/cancel/").status_code in (403, 404)
    mine.refresh_from_db()
    assert mine.status != AssignmentStatus.CANCELLED


def _page_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_team_list_page_query_count_does_not_grow(world, logged_in):
    few = _page_queries(logged_in, "/teams/")
    for _ in range(10):
        team = TeamFactory(client=world["client_a"])
        team.managers.add(make_actor(world["client_a"]).user)
        AssignmentFactory(worker=WorkerFactory(client=world["client_a"], provider=world["provider"]), team=team)
    assert _page_queries(logged_in, "/teams/") == few


def test_team_detail_page_query_count_does_not_grow(world, placed, logged_in):
    url = f"/teams/{world['team_a'].id}/"
    few = _page_queries(logged_in, url)
    for _ in range(10):
        worker = WorkerFactory(client=world["client_a"], provider=world["provider"])
        AssignmentFactory(worker=worker, team=world["team_a"], manager=make_actor(world["client_a"]).user)
    assert _page_queries(logged_in, url) == few
