import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import make_actor
from assignments.choices import AssignmentStatus
from assignments.models import Assignment, Team
from assignments.tests.conftest import screened_worker
from assignments.tests.factories import AssignmentFactory, TeamFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/teams/"
ASSIGNMENTS = "/api/v1/assignments/"


def payload(world, **overrides):
    data = {
        "worker": str(world["worker_a"].id),
        "team": str(world["team_a"].id),
        "role": "Backend engineer",
        "starts_on": "2026-01-01",
        "ends_on": "2026-03-31",
        "weekly_hours": "40.0",
        "schedule_set_by_client": True,
    }
    data.update(overrides)
    return data


@pytest.fixture
def placed(world):
    """One assignment per client."""
    mine = AssignmentFactory(worker=world["worker_a"], team=world["team_a"], starts_on=dt.date(2026, 1, 1))
    theirs = AssignmentFactory(worker=world["worker_b"], team=world["team_b"], starts_on=dt.date(2026, 1, 1))
    return mine, theirs


# --- assignments: create and validation -------------------------------------------------------


def test_client_creates_an_assignment(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:write"])
    response = api.post(ASSIGNMENTS, payload(world, manager=str(world["admin_a"].user.id)), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["worker"] == str(world["worker_a"].id) and body["client"] == str(world["client_a"].id)
    assert body["worker_name"] == "Ada Lovelace" and body["status"] == AssignmentStatus.ENDED
    assert response["ETag"]


def test_overlap_is_a_400_naming_the_conflict(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:write"])
    assert api.post(ASSIGNMENTS, payload(world), format="json").status_code == 201
    response = api.post(ASSIGNMENTS, payload(world, starts_on="2026-03-31", ends_on=None), format="json")
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"].startswith("application/problem+json")
    error = next(e for e in body["errors"] if e["field"] == "starts_on")
    assert "2026-01-01 – 2026-03-31" in error["message"]


def test_constraint_race_is_never_a_500(world, api_key_client, monkeypatch):
    from assignments import services

    api = api_key_client(world["client_a"], ["assignments:write"])
    assert api.post(ASSIGNMENTS, payload(world), format="json").status_code == 201
    monkeypatch.setattr(services, "overlapping_assignment", lambda **kwargs: None)
    monkeypatch.setattr(Assignment, "validate_constraints", lambda self, exclude=None: None)
    response = api.post(ASSIGNMENTS, payload(world, starts_on="2026-02-01"), format="json")
    assert response.status_code in (400, 409)
    assert "overlap" in response.json()["detail"]
    assert Assignment.objects.count() == 1


def test_duplicate_external_id_is_a_400(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:write"])
    assert api.post(ASSIGNMENTS, payload(world, external_id="HR-7"), format="json").status_code == 201
    other = screened_worker(client=world["client_a"], provider=world["provider"])
    response = api.post(ASSIGNMENTS, payload(world, worker=str(other.id), external_id="HR-7"), format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"external_id"}


def test_gate_refusal_is_a_400_on_worker(world, api_key_client):
    unscreened = WorkerFactory(client=world["client_a"], provider=world["provider"])
    api = api_key_client(world["client_a"], ["assignments:write"])
    response = api.post(ASSIGNMENTS, payload(world, worker=str(unscreened.id)), format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "worker" and "has no passed screening" in error["message"]
    assert not Assignment.objects.exists()


def test_worker_team_and_manager_of_another_client_do_not_exist(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:write"])
    response = api.post(
        ASSIGNMENTS,
        payload(
            world,
            worker=str(world["worker_b"].id),
            team=str(world["team_b"].id),
            manager=str(world["admin_b"].user.id),
        ),
        format="json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"worker", "team", "manager"}
    assert not Assignment.objects.exists()


def test_bad_hours_and_dates_are_field_errors(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:write"])
    response = api.post(ASSIGNMENTS, payload(world, weekly_hours="81", ends_on="2025-01-01"), format="json")
    assert response.status_code == 400
    assert "weekly_hours" in {e["field"] for e in response.json()["errors"]}
    response = api.post(ASSIGNMENTS, payload(world, ends_on="2025-01-01"), format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["ends_on"]


# --- assignments: updates, end, cancel ------------------------------------------------------


def test_update_end_and_cancel(world, placed, api_key_client):
    mine, _ = placed
    api = api_key_client(world["client_a"], ["assignments:write"])
    url = f"{ASSIGNMENTS}{mine.id}/"
    response = api.patch(url, {"weekly_hours": "32.5", "directed_by": "provider"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["weekly_hours"] == "32.5"
    response = api.post(f"{url}end/", {"ends_on": "2026-02-28"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == AssignmentStatus.ENDED
    assert response.json()["ends_on"] == "2026-02-28"
    response = api.post(f"{url}cancel/", format="json")
    assert response.status_code == 200 and response.json()["status"] == AssignmentStatus.CANCELLED


def test_worker_cannot_be_swapped_on_update(world, placed, api_key_client):
    mine, _ = placed
    other = screened_worker(client=world["client_a"], provider=world["provider"])
    api = api_key_client(world["client_a"], ["assignments:write"])
    response = api.patch(f"{ASSIGNMENTS}{mine.id}/", {"worker": str(other.id)}, format="json")
    mine.refresh_from_db()
    # The worker is read-only once assigned: the change is ignored, never applied.
    assert response.status_code == 200 and response.json()["worker"] == str(world["worker_a"].id)
    assert mine.worker_id == world["worker_a"].id


def test_end_before_start_is_a_400(world, placed, api_key_client):
    mine, _ = placed
    api = api_key_client(world["client_a"], ["assignments:write"])
    response = api.post(f"{ASSIGNMENTS}{mine.id}/end/", {"ends_on": "2025-01-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "ends_on"


# --- tenancy ----------------------------------------------------------------------------------


def test_client_lists_only_its_assignments_and_teams(world, placed, api_key_client):
    mine, _ = placed
    api = api_key_client(world["client_a"], ["assignments:read"])
    assert [row["id"] for row in api.get(ASSIGNMENTS).json()["results"]] == [str(mine.id)]
    assert [row["id"] for row in api.get(TEAMS).json()["results"]] == [str(world["team_a"].id)]


def test_other_clients_assignment_and_team_are_404(world, placed, api_key_client):
    _, theirs = placed
    api = api_key_client(world["client_a"], ["assignments:write"])
    assert api.get(f"{ASSIGNMENTS}{theirs.id}/").status_code == 404
    assert api.patch(f"{ASSIGNMENTS}{theirs.id}/", {"role": "Hacked"}, format="json").status_code == 404
    assert api.post(f"{ASSIGNMENTS}{theirs.id}/end/", {}, format="json").status_code == 404
    assert api.post(f"{ASSIGNMENTS}{theirs.id}/cancel/", format="json").status_code == 404
    assert api.get(f"{TEAMS}{world['team_b'].id}/").status_code == 404
    assert api.patch(f"{TEAMS}{world['team_b'].id}/", {"name": "Hacked"}, format="json").status_code == 404
    theirs.refresh_from_db()
    world["team_b"].refresh_from_db()
    assert theirs.role != "Hacked" and theirs.status != AssignmentStatus.CANCELLED
    assert world["team_b"].name == "Payments"


def test_provider_reads_assignment_facts_of_its_workers(world, placed, api_key_client):
    mine, _ = placed
    # A worker of the same provider at the other client shows too; other providers' do not.
    elsewhere = WorkerFactory(client=world["client_b"], provider=world["provider"])
    theirs_too = AssignmentFactory(worker=elsewhere, team=world["team_b"], starts_on=dt.date(2026, 1, 1))
    api = api_key_client(world["provider"].organization, ["assignments:read"])
    rows = api.get(ASSIGNMENTS).json()["results"]
    assert {row["id"] for row in rows} == {str(mine.id), str(theirs_too.id)}
    row = next(r for r in rows if r["id"] == str(mine.id))
    assert row["client_name"] == world["client_a"].name
    assert {"starts_on", "ends_on", "weekly_hours", "directed_by", "schedule_set_by_client"} <= set(row)
    assert "team" not in row and "manager" not in row
    assert api.get(TEAMS).json()["results"] == []


def test_provider_cannot_write_even_with_a_write_key(world, placed, api_key_client):
    mine, _ = placed
    api = api_key_client(world["provider"].organization, ["assignments:write"])
    assert api.post(ASSIGNMENTS, payload(world), format="json").status_code == 403
    response = api.patch(f"{ASSIGNMENTS}{mine.id}/", {"weekly_hours": "10"}, format="json")
    assert response.status_code == 403
    assert api.post(f"{ASSIGNMENTS}{mine.id}/cancel/", format="json").status_code == 403
    assert api.post(TEAMS, {"name": "Provider team"}, format="json").status_code == 403
    mine.refresh_from_db()
    assert mine.weekly_hours == 40 and mine.status != AssignmentStatus.CANCELLED


def test_provider_session_user_cannot_write(world, placed, client):
    mine, _ = placed
    actor = make_actor(world["provider"].organization)
    client.force_login(actor.user)
    assert client.get(ASSIGNMENTS).status_code == 200
    response = client.patch(f"{ASSIGNMENTS}{mine.id}/", {"weekly_hours": "10"}, content_type="application/json")
    assert response.status_code == 403


def test_read_scope_cannot_write(world, placed, api_key_client):
    mine, _ = placed
    api = api_key_client(world["client_a"], ["assignments:read"])
    assert api.patch(f"{ASSIGNMENTS}{mine.id}/", {"role": "X"}, format="json").status_code == 403
    assert api.post(TEAMS, {"name": "X"}, format="json").status_code == 403


def test_hiring_manager_sees_managed_teams_and_directed_assignments(world, client):
    manager = make_actor(world["client_a"], role="hiring_manager")
    managed = TeamFactory(client=world["client_a"], name="Managed")
    managed.managers.add(manager.user)
    on_managed = AssignmentFactory(worker=world["worker_a"], team=managed, starts_on=dt.date(2026, 1, 1))
    directed_worker = WorkerFactory(client=world["client_a"], provider=world["provider"])
    directed = AssignmentFactory(worker=directed_worker, team=world["team_a"], manager=manager.user)
    hidden_worker = WorkerFactory(client=world["client_a"], provider=world["provider"])
    hidden = AssignmentFactory(worker=hidden_worker, team=world["team_a"])
    client.force_login(manager.user)
    ids = {row["id"] for row in client.get(ASSIGNMENTS).json()["results"]}
    assert ids == {str(on_managed.id), str(directed.id)}
    assert client.get(f"{ASSIGNMENTS}{hidden.id}/").status_code == 404
    teams = client.get(TEAMS).json()["results"]
    assert [row["id"] for row in teams] == [str(managed.id)]


def test_hiring_manager_creates_on_managed_team_only(world, client):
    manager = make_actor(world["client_a"], role="hiring_manager")
    world["team_a"].managers.add(manager.user)
    unmanaged = TeamFactory(client=world["client_a"], name="Elsewhere")
    client.force_login(manager.user)
    response = client.post(ASSIGNMENTS, payload(world, team=str(unmanaged.id)), content_type="application/json")
    assert response.status_code == 400
    response = client.post(ASSIGNMENTS, payload(world), content_type="application/json")
    assert response.status_code == 201, response.json()


# --- teams ------------------------------------------------------------------------------------


def test_team_create_update_and_active_count(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:write"])
    response = api.post(TEAMS, {"name": "Data", "managers": [str(world["admin_a"].user.id)]}, format="json")
    assert response.status_code == 201, response.json()
    team_id = response.json()["id"]
    assert response.json()["managers"] == [str(world["admin_a"].user.id)]
    assert response.json()["active_assignments_count"] == 0
    team = Team.objects.get(id=team_id)
    AssignmentFactory(worker=world["worker_a"], team=team, starts_on=dt.date(2026, 1, 1))
    cancelled_worker = WorkerFactory(client=world["client_a"], provider=world["provider"])
    AssignmentFactory(worker=cancelled_worker, team=team, status=AssignmentStatus.CANCELLED)
    listed = {row["id"]: row for row in api.get(TEAMS).json()["results"]}
    assert listed[team_id]["active_assignments_count"] == 1
    response = api.patch(f"{TEAMS}{team_id}/", {"name": "Data platform"}, format="json")
    assert response.status_code == 200 and response.json()["active_assignments_count"] == 1
    duplicate = api.post(TEAMS, {"name": "Data platform"}, format="json")
    assert duplicate.status_code == 400


def test_team_manager_from_another_client_does_not_exist(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:write"])
    response = api.post(TEAMS, {"name": "Data", "managers": [str(world["admin_b"].user.id)]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("managers")


# --- filters ----------------------------------------------------------------------------------


def test_filters(world, api_key_client):
    old = AssignmentFactory(
        worker=world["worker_a"],
        team=world["team_a"],
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 6, 30),
        status=AssignmentStatus.ENDED,
    )
    other_team = TeamFactory(client=world["client_a"], name="Other")
    current = AssignmentFactory(worker=world["worker_a"], team=other_team, starts_on=dt.date(2026, 1, 1))
    api = api_key_client(world["client_a"], ["assignments:read"])

    def ids(query):
        response = api.get(ASSIGNMENTS, query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids({"active_on": "2025-03-01"}) == {str(old.id)}
    assert ids({"active_on": "2026-03-01"}) == {str(current.id)}
    assert ids({"status": "ended"}) == {str(old.id)}
    assert ids({"team": str(other_team.id)}) == {str(current.id)}
    assert ids({"worker": str(world["worker_a"].id)}) == {str(old.id), str(current.id)}
    assert ids({"client": str(world["client_b"].id)}) == set()
    assert ids({"updated_since": "2999-01-01T00:00:00Z"}) == set()
    assert api.get(ASSIGNMENTS, {"active_on": "not-a-date"}).status_code == 400


# --- query counts -----------------------------------------------------------------------------


def _count(api, url):
    api.get(url)  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_assignment_list_query_count_does_not_grow_with_rows(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:read"])
    AssignmentFactory(worker=world["worker_a"], team=world["team_a"], manager=world["admin_a"].user)
    few, _ = _count(api, ASSIGNMENTS)
    for _ in range(12):
        worker = WorkerFactory(client=world["client_a"], provider=world["provider"])
        AssignmentFactory(
            worker=worker, team=TeamFactory(client=world["client_a"]), manager=make_actor(world["client_a"]).user
        )
    many, response = _count(api, ASSIGNMENTS)
    assert len(response.json()["results"]) == 13
    assert many == few


def test_provider_assignment_list_query_count_does_not_grow_with_rows(world, api_key_client):
    api = api_key_client(world["provider"].organization, ["assignments:read"])
    AssignmentFactory(worker=world["worker_a"], team=world["team_a"])
    few, _ = _count(api, ASSIGNMENTS)
    for _ in range(12):
        worker = WorkerFactory(client=world["client_a"], provider=world["provider"])
        AssignmentFactory(worker=worker, team=world["team_a"])
    many, response = _count(api, ASSIGNMENTS)
    assert len(response.json()["results"]) == 13
    assert many == few


def test_team_list_query_count_does_not_grow_with_rows(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:read"])
    few, _ = _count(api, TEAMS)
    for _ in range(12):
        team = TeamFactory(client=world["client_a"])
        team.managers.add(make_actor(world["client_a"]).user)
        worker = WorkerFactory(client=world["client_a"], provider=world["provider"])
        AssignmentFactory(worker=worker, team=team)
    many, response = _count(api, TEAMS)
    assert len(response.json()["results"]) == 13
    assert many == few


def test_hiring_manager_cannot_create_or_rename_teams(world, client):
    manager = make_actor(world["client_a"], role="hiring_manager")
    world["team_a"].managers.add(manager.user)
    client.force_login(manager.user)
    assert client.post(TEAMS, {"name": "Shadow"}, content_type="application/json").status_code == 403
    response = client.patch(f"{TEAMS}{world['team_a'].id}/", {"name": "Mine"}, content_type="application/json")
    assert response.status_code == 403
    world["team_a"].refresh_from_db()
    assert world["team_a"].name == "Platform"
