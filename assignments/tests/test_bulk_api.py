"""POST /api/v1/assignments/bulk/: assignments upserted by external_id with the single-path rules
(the same rule function, the screening gate, the dedicated-worker overlap, scoping)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assignments.models import Assignment
from assignments.tests.conftest import screened_worker
from assignments.tests.factories import AssignmentFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/assignments/bulk/"


def _item(n, worker, team, **extra):
    return {
        "external_id": f"A-{n}",
        "worker": str(worker.id),
        "team": str(team.id),
        "role": "Backend engineer",
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
        "weekly_hours": "40.0",
        "schedule_set_by_client": True,
        **extra,
    }


def test_create_unchanged_update_and_derived_status(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:write"])
    items = [_item(1, world["worker_a"], world["team_a"])]
    first = api.post(URL, {"items": items}, format="json").json()
    assert first["created"] == 1, first
    assignment = Assignment.objects.get(external_id="A-1")
    assert assignment.client == world["client_a"] and assignment.status == "ended"
    stamp = assignment.updated_at
    assert api.post(URL, {"items": items}, format="json").json()["unchanged"] == 1
    assignment.refresh_from_db()
    assert assignment.updated_at == stamp
    items[0]["ends_on"] = None
    result = api.post(URL, {"items": items}, format="json").json()["results"][0]
    assert result["action"] == "update"
    assert result["changes"] == {"ends_on": ["2026-06-30", None], "status": ["ended", "active"]}


def test_single_path_rules_hold_in_bulk(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:write"])
    unscreened = WorkerFactory(client=world["client_a"], provider=world["provider"])
    AssignmentFactory(worker=world["worker_a"], team=world["team_a"], starts_on="2025-01-01", ends_on="2025-12-31")
    items = [
        _item(1, world["worker_a"], world["team_a"], starts_on="2025-06-01"),  # overlaps the stored one
        _item(2, unscreened, world["team_a"]),  # the onboarding gate
        _item(3, world["worker_a"], world["team_a"], weekly_hours="90"),  # the hours rule
        _item(4, world["worker_a"], world["team_a"], ends_on="2025-12-01", starts_on="2026-01-01"),
        _item(5, world["worker_a"], world["team_a"]),  # fine
        _item(6, world["worker_a"], world["team_a"], starts_on="2026-03-01"),  # overlaps item 5
    ]
    results = api.post(URL, {"items": items}, format="json").json()["results"]
    assert [r["action"] for r in results] == ["error", "error", "error", "error", "create", "error"]
    assert "starts_on" in results[0]["errors"] and "dedicated worker" in results[0]["errors"]["starts_on"][0]
    assert "no passed screening" in results[1]["errors"]["worker"][0]
    assert "weekly_hours" in results[2]["errors"]
    assert "ends_on" in results[3]["errors"]
    assert "starts_on" in results[5]["errors"]
    # The same rules on the single path.
    single = api.post("/api/v1/assignments/", {k: v for k, v in items[1].items() if k != "external_id"}, format="json")
    assert single.status_code == 400 and "worker" in {e["field"] for e in single.json()["errors"]}
    assert list(Assignment.objects.filter(external_id__startswith="A-").values_list("external_id", flat=True)) == [
        "A-5"
    ]


def test_atomic_and_stale_etag(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:write"])
    items = [_item(1, world["worker_a"], world["team_a"]), _item(2, world["worker_a"], world["team_a"])]
    response = api.post(URL + "?atomic=true", {"items": items}, format="json")  # 2 overlaps 1
    assert response.status_code == 400 and response.json()["applied"] is False
    assert not Assignment.objects.filter(external_id__in=["A-1", "A-2"]).exists()
    api.post(URL, {"items": items[:1]}, format="json")
    assignment = Assignment.objects.get(external_id="A-1")
    etag = api.get(f"/api/v1/assignments/{assignment.id}/")["ETag"]
    api.patch(f"/api/v1/assignments/{assignment.id}/", {"role": "Tech lead"}, format="json")
    stale = {**items[0], "role": "Engineer", "etag": etag}
    result = api.post(URL, {"items": [stale]}, format="json").json()["results"][0]
    assert result["code"] == "precondition_failed"
    assignment.refresh_from_db()
    assert assignment.role == "Tech lead"


def test_another_clients_workers_teams_and_assignments_are_out_of_reach(world, api_key_client):
    theirs = AssignmentFactory(
        worker=world["worker_b"], team=world["team_b"], external_id="A-1", starts_on="2026-01-01", role="Theirs"
    )
    api = api_key_client(world["client_a"], ["assignments:write"])
    # Client B's external id is client A's own key space: an item for it creates A's row (or fails),
    # never touches B's.
    results = api.post(
        URL,
        {
            "items": [
                _item(1, world["worker_b"], world["team_a"], role="Hacked"),
                _item(2, world["worker_a"], world["team_b"]),
            ]
        },
        format="json",
    ).json()["results"]
    assert results[0]["action"] == "error" and "worker" in results[0]["errors"]
    assert results[1]["action"] == "error" and "team" in results[1]["errors"]
    theirs.refresh_from_db()
    assert theirs.role == "Theirs"
    # A provider reads assignments but never writes them.
    provider_api = api_key_client(world["provider"].organization, ["assignments:write"])
    assert (
        provider_api.post(URL, {"items": [_item(3, world["worker_a"], world["team_a"])]}, format="json").status_code
        == 403
    )


def test_query_count_is_constant_per_chunk(world, api_key_client):
    api = api_key_client(world["client_a"], ["assignments:write"])
    few_workers = [screened_worker(client=world["client_a"], provider=world["provider"]) for _ in range(2)]
    many_workers = [screened_worker(client=world["client_a"], provider=world["provider"]) for _ in range(40)]

    def run(items):
        with CaptureQueriesContext(connection) as queries:
            response = api.post(URL, {"items": items}, format="json")
        assert response.status_code == 200 and not response.json()["errors"], response.json()
        return len(queries)

    run([_item(0, world["worker_a"], world["team_a"])])  # warm up (the key's first use)
    few = [_item(100 + n, w, world["team_a"]) for n, w in enumerate(few_workers)]
    many = [_item(200 + n, w, world["team_a"]) for n, w in enumerate(many_workers)]
    assert run(few) == run(many)
    assert run(few) == run(many)
    for item in [few[0], *many]:
        item["weekly_hours"] = "32.0"
    assert run(few) == run(many)
