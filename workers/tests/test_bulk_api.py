"""POST /api/v1/workers/bulk/: upsert by external_id with the rules of the single-worker services."""

import pghistory.models
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import ClientFactory
from providers.tests.factories import ProviderFactory
from workers.models import CheckIn, Worker
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/workers/bulk/"


@pytest.fixture
def tenants():
    client_a, client_b = ClientFactory(), ClientFactory()
    provider_a, provider_b = ProviderFactory(), ProviderFactory()
    theirs = WorkerFactory(client=client_b, provider=provider_b, external_id="HR-9", first_name="Theirs")
    return {
        "client_a": client_a,
        "client_b": client_b,
        "provider_a": provider_a,
        "provider_b": provider_b,
        "theirs": theirs,
    }


def _item(provider, n, **extra):
    return {
        "external_id": f"HR-{n}",
        "first_name": f"First{n}",
        "last_name": f"Last{n}",
        "work_email": f"w{n}@example.test",
        "country": "de",
        "start_date": "2026-01-05",
        "provider": str(provider.pk),
        **extra,
    }


def _events() -> int:
    return pghistory.models.Events.objects.filter(pgh_obj_model="workers.Worker").count()


def test_creates_then_reports_unchanged_without_writing(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["workers:write"])
    items = [_item(tenants["provider_a"], n) for n in range(3)]
    response = api.post(URL, {"items": items}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["applied"], body["created"], body["updated"], body["unchanged"], body["errors"]) == (True, 3, 0, 0, 0)
    worker = Worker.objects.get(external_id="HR-0")
    assert worker.client == tenants["client_a"] and worker.country == "DE" and worker.status == "onboarding"
    # The single-worker service schedules the day-30/60/90 check-ins; bulk does the same.
    assert CheckIn.objects.filter(worker=worker).count() == 3
    stamp, events = worker.updated_at, _events()

    again = api.post(URL, {"items": items}, format="json").json()
    assert [r["action"] for r in again["results"]] == ["unchanged"] * 3
    worker.refresh_from_db()
    assert worker.updated_at == stamp and _events() == events


def test_one_changed_field_is_one_update_with_its_change(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["workers:write"])
    items = [_item(tenants["provider_a"], n) for n in range(3)]
    api.post(URL, {"items": items}, format="json")
    items[1]["last_name"] = "Renamed"
    results = api.post(URL, {"items": items}, format="json").json()["results"]
    assert [r["action"] for r in results] == ["unchanged", "update", "unchanged"]
    assert results[1]["changes"] == {"last_name": ["Last1", "Renamed"]}
    assert Worker.objects.get(external_id="HR-1").last_name == "Renamed"


def test_bad_items_are_reported_per_field_and_good_ones_apply(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["workers:write"])
    items = [
        _item(tenants["provider_a"], 1),
        _item(tenants["provider_a"], 2, work_email="not-an-email", start_date="05/01/2026"),
        _item(tenants["provider_a"], 3, subdivision="FR-75"),
        {"external_id": "HR-4", "first_name": "Only"},
    ]
    body = api.post(URL, {"items": items}, format="json").json()
    actions = [r["action"] for r in body["results"]]
    assert actions == ["create", "error", "error", "error"]
    assert set(body["results"][1]["errors"]) == {"work_email", "start_date"}
    assert "subdivision" in body["results"][2]["errors"]
    assert {"last_name", "work_email", "country"} <= set(body["results"][3]["errors"])
    assert body["results"][1]["code"] == "invalid"
    assert list(
        Worker.objects.filter(external_id__startswith="HR-")
        .exclude(pk=tenants["theirs"].pk)
        .values_list("external_id", flat=True)
    ) == ["HR-1"]


def test_atomic_applies_nothing_when_an_item_is_bad(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["workers:write"])
    items = [_item(tenants["provider_a"], 1), _item(tenants["provider_a"], 2, country="Germany")]
    response = api.post(URL + "?atomic=true", {"items": items}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["applied"] is False and body["status"] == 400 and "1 of 2 items" in body["detail"]
    assert {error["field"] for error in body["errors"]} == {"items[1].country"}
    assert body["results"][1]["action"] == "error" and "country" in body["results"][1]["errors"]
    assert not Worker.objects.filter(external_id__in=["HR-1", "HR-2"]).exists()
    good = api.post(URL + "?atomic=true", {"items": items[:1]}, format="json")
    assert good.status_code == 200 and good.json()["created"] == 1


def test_a_stale_etag_fails_only_that_item(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["workers:write"])
    api.post(URL, {"items": [_item(tenants["provider_a"], 1), _item(tenants["provider_a"], 2)]}, format="json")
    one, two = (Worker.objects.get(external_id=f"HR-{n}") for n in (1, 2))
    etag_one = api.get(f"/api/v1/workers/{one.id}/")["ETag"]
    etag_two = api.get(f"/api/v1/workers/{two.id}/")["ETag"]
    api.patch(f"/api/v1/workers/{one.id}/", {"role_title": "Changed meanwhile"}, format="json")
    items = [
        _item(tenants["provider_a"], 1, role_title="Mine", etag=etag_one),
        _item(tenants["provider_a"], 2, role_title="Mine", etag=etag_two),
    ]
    results = api.post(URL, {"items": items}, format="json").json()["results"]
    assert results[0]["action"] == "error" and results[0]["code"] == "precondition_failed"
    assert "etag" in results[0]["errors"]
    assert results[1]["action"] == "update"
    one.refresh_from_db()
    assert one.role_title == "Changed meanwhile"


def test_unknown_fields_duplicates_and_size_are_refused(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["workers:write"])
    misspelt = api.post(URL, {"items": [{**_item(tenants["provider_a"], 1), "frist_name": "x"}]}, format="json")
    assert misspelt.status_code == 400
    assert any(e["field"] == "items.0.frist_name" for e in misspelt.json()["errors"])
    assert not Worker.objects.filter(external_id="HR-1").exists()
    twice = api.post(URL, {"items": [_item(tenants["provider_a"], 1)] * 2}, format="json").json()["results"]
    assert [r["action"] for r in twice] == ["create", "error"]
    too_many = api.post(URL, {"items": [{"external_id": str(i)} for i in range(1001)]}, format="json")
    assert too_many.status_code == 400


def test_another_tenants_worker_cannot_be_changed_through_bulk(tenants, api_key_client):
    theirs = tenants["theirs"]
    api = api_key_client(tenants["client_a"], ["workers:write"])
    # Same external id, but client A cannot see client B's worker: it is never updated. Naming
    # B's provider, the id is already taken there.
    items = [_item(tenants["provider_b"], 9, first_name="Hacked")]
    result = api.post(URL, {"items": items}, format="json").json()["results"][0]
    assert result["action"] == "error" and "external_id" in result["errors"]
    theirs.refresh_from_db()
    assert theirs.first_name == "Theirs"
    # A provider cannot create workers for another provider, nor a client for another client.
    provider_api = api_key_client(tenants["provider_a"].organization, ["workers:write"])
    item = _item(tenants["provider_b"], 5, client=str(tenants["client_a"].pk))
    assert provider_api.post(URL, {"items": [item]}, format="json").json()["results"][0]["action"] == "error"
    item = _item(tenants["provider_a"], 6, client=str(tenants["client_b"].pk))
    assert api.post(URL, {"items": [item]}, format="json").json()["results"][0]["action"] == "error"
    assert not Worker.objects.filter(external_id__in=["HR-5", "HR-6"]).exists()
    # The provider's own sync of a worker it employs works and is scoped to it.
    item = _item(tenants["provider_a"], 7, client=str(tenants["client_a"].pk))
    assert provider_api.post(URL, {"items": [item]}, format="json").json()["results"][0]["action"] == "create"


def test_read_scope_cannot_bulk(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["workers:read"])
    assert api.post(URL, {"items": [_item(tenants["provider_a"], 1)]}, format="json").status_code == 403


def test_query_count_is_constant_per_chunk(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["workers:write"])

    def run(items):
        with CaptureQueriesContext(connection) as queries:
            response = api.post(URL, {"items": items}, format="json")
        assert response.status_code == 200
        return len(queries)

    run([_item(tenants["provider_a"], 999)])  # warm up: the key's first use is recorded once
    few = [_item(tenants["provider_a"], n) for n in range(3)]
    many = [_item(tenants["provider_a"], n) for n in range(100, 400)]
    create_few, create_many = run(few), run(many)
    assert create_many == create_few
    assert run(many) == run(few)  # re-sync, unchanged
    for item in many:
        item["role_title"] = "Engineer"
    few[0]["role_title"] = "Engineer"
    assert run(many) == run(few)  # updates
