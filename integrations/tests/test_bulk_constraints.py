"""Bulk upsert when the database refuses a write its checks let through (issue 8 point 1): a row saved
by someone else between the checks and the write (simulated by saving it right after the chunk's
checks ran, in the same transaction) makes that item hit a constraint — the assignment overlap
exclusion constraint, the unique external id. By default that item is a per-item error and every
other item applies; with ?atomic=true nothing at all is applied."""

import pytest

from accounts.tests.factories import ClientFactory
from assignments import services as assignment_services
from assignments.models import Assignment
from assignments.tests.conftest import screened_worker
from assignments.tests.factories import AssignmentFactory, TeamFactory
from providers.tests.factories import ProviderFactory
from workers import services as worker_services
from workers.models import Worker
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _race(monkeypatch, spec_class, save_concurrently):
    """Run `save_concurrently()` once, right after the chunk's checks passed."""
    checks = spec_class.validate_chunk
    done = []

    def validate_chunk(self, items):
        checks(self, items)
        if not done:
            done.append(save_concurrently())

    monkeypatch.setattr(spec_class, "validate_chunk", validate_chunk)
    return done


@pytest.fixture
def placements():
    client, provider = ClientFactory(), ProviderFactory()
    team = TeamFactory(client=client)
    workers = [screened_worker(client=client, provider=provider) for _ in range(3)]
    items = [
        {
            "external_id": f"A-{n}",
            "worker": str(worker.id),
            "team": str(team.id),
            "role": "Engineer",
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "weekly_hours": "40",
        }
        for n, worker in enumerate(workers)
    ]
    return {"client": client, "team": team, "workers": workers, "items": items}


def _overlapping_assignment(placements):
    # Someone else places the first worker in the same months, a moment after the checks.
    return AssignmentFactory(
        worker=placements["workers"][0], team=placements["team"], starts_on="2026-03-01", ends_on="2026-03-31"
    )


def test_an_overlap_only_the_database_sees_fails_that_item_and_the_others_apply(
    placements, api_key_client, monkeypatch
):
    _race(monkeypatch, assignment_services._AssignmentBulkSpec, lambda: _overlapping_assignment(placements))
    api = api_key_client(placements["client"], ["assignments:write"])
    response = api.post("/api/v1/assignments/bulk/", {"items": placements["items"]}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [r["action"] for r in body["results"]] == ["error", "create", "create"]
    assert "Overlaps an assignment saved a moment ago" in body["results"][0]["errors"]["starts_on"][0]
    assert body["results"][0]["id"] is None
    assert set(Assignment.objects.filter(external_id__startswith="A-").values_list("external_id", flat=True)) == {
        "A-1",
        "A-2",
    }
    assert Assignment.objects.filter(worker=placements["workers"][0]).count() == 1  # only the other's row


def test_with_atomic_an_overlap_only_the_database_sees_applies_nothing(placements, api_key_client, monkeypatch):
    _race(monkeypatch, assignment_services._AssignmentBulkSpec, lambda: _overlapping_assignment(placements))
    api = api_key_client(placements["client"], ["assignments:write"])
    response = api.post("/api/v1/assignments/bulk/?atomic=true", {"items": placements["items"]}, format="json")
    assert response.status_code == 400, response.json()
    assert "starts_on" in str(response.json())
    assert not Assignment.objects.filter(external_id__startswith="A-").exists()


@pytest.fixture
def hris():
    client, provider = ClientFactory(), ProviderFactory()
    items = [
        {
            "external_id": f"HR-{n}",
            "first_name": f"First{n}",
            "last_name": "Example",
            "work_email": f"hr{n}@example.test",
            "country": "DE",
            "provider": str(provider.pk),
        }
        for n in range(3)
    ]
    return {"client": client, "provider": provider, "items": items}


def _same_external_id(hris):
    # The provider files HR-1 for another of its clients a moment after the checks: the external id
    # is unique per provider, so this client's HR-1 can no longer be created.
    return WorkerFactory(provider=hris["provider"], client=ClientFactory(), external_id="HR-1")


def test_a_unique_external_id_race_fails_that_item_and_the_others_apply(hris, api_key_client, monkeypatch):
    _race(monkeypatch, worker_services._WorkerBulkSpec, lambda: _same_external_id(hris))
    api = api_key_client(hris["client"], ["workers:write"])
    response = api.post("/api/v1/workers/bulk/", {"items": hris["items"]}, format="json")
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["action"] for r in results] == ["create", "error", "create"]
    assert results[1]["errors"] == {
        "external_id": ["Another worker of this provider was given this external id a moment ago."]
    }
    assert results[1]["id"] is None
    mine = Worker.objects.filter(client=hris["client"])
    assert set(mine.values_list("external_id", flat=True)) == {"HR-0", "HR-2"}


def test_with_atomic_a_unique_external_id_race_applies_nothing(hris, api_key_client, monkeypatch):
    _race(monkeypatch, worker_services._WorkerBulkSpec, lambda: _same_external_id(hris))
    api = api_key_client(hris["client"], ["workers:write"])
    response = api.post("/api/v1/workers/bulk/?atomic=true", {"items": hris["items"]}, format="json")
    assert response.status_code == 400, response.json()
    assert "external id" in str(response.json())
    assert not Worker.objects.filter(client=hris["client"]).exists()
    assert not Worker.objects.filter(external_id="HR-1").exists()  # the whole transaction rolled back
