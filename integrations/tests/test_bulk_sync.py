"""The HRIS round trip (issue 8, "done means"): an export of workers, contracts and assignments is
synced through the bulk endpoints; the re-sync of the same export writes nothing; when one field
changes, the re-sync reports exactly one `updated` item and sends exactly one event, and every other
item is `unchanged` with no event, audit row or rescan. The single-object PATCH of unchanged values
is as silent."""

import pghistory.models
import pytest

from accounts.tests.factories import ClientFactory
from assignments.tests.conftest import pass_screening
from assignments.tests.factories import TeamFactory
from integrations.models import WebhookEvent
from integrations.tests.factories import WebhookEndpointFactory
from providers.tests.factories import LegalEntityFactory, ProviderFactory
from risks import receivers
from risks.services.rescans import rescans_take
from workers.models import Worker

pytestmark = pytest.mark.django_db

SIZE = 5


@pytest.fixture
def hris(api_key_client):
    client, provider = ClientFactory(), ProviderFactory()
    LegalEntityFactory(provider=provider, country="DE")
    TeamFactory(client=client, external_id="T-1")
    WebhookEndpointFactory(organization=client)
    export = {
        "workers": [
            {
                "external_id": f"HR-{n}",
                "first_name": f"First{n}",
                "last_name": f"Last{n}",
                "work_email": f"p{n}@example.test",
                "country": "DE",
                "role_title": "Engineer",
                "start_date": "2026-01-05",
                "provider": str(provider.pk),
            }
            for n in range(SIZE)
        ],
        "contracts": [
            {
                "external_id": f"C-{n}",
                "worker_external_id": f"HR-{n}",
                "legal_entity_country": "DE",
                "contract_type": "employment",
                "engagement_model": "outstaffing",
                "signed_on": "2025-12-20",
                "starts_on": "2026-01-05",
                "weekly_hours": "40",
            }
            for n in range(SIZE)
        ],
        "assignments": [
            {
                "external_id": f"A-{n}",
                "worker_external_id": f"HR-{n}",
                "team_external_id": "T-1",
                "role": "Engineer",
                "starts_on": "2026-01-05",
                "weekly_hours": "40",
            }
            for n in range(SIZE)
        ],
    }
    return {
        "client": client,
        "provider": provider,
        "export": export,
        "client_api": api_key_client(client, ["workers:write", "assignments:write"]),
        "provider_api": api_key_client(provider.organization, ["contracts:write"]),
    }


@pytest.fixture
def rescans(monkeypatch):
    """The workers the risk engine is asked to re-evaluate (its receivers' task calls)."""
    queued: list[str] = []

    def started(ids):
        # As a worker would on taking the task: the pending rows are taken, so the next sync's
        # change is not swallowed by this one's debounce.
        queued.extend(map(str, ids))
        rescans_take(worker_ids=ids)

    monkeypatch.setattr(receivers.risk_scan_worker_task, "delay", lambda worker_id: started([worker_id]))
    monkeypatch.setattr(receivers.risk_scan_workers_task, "delay", started)
    return queued


def _sync(hris, resource: str) -> dict:
    api = hris["provider_api"] if resource == "contracts" else hris["client_api"]
    response = api.post(f"/api/v1/{resource}/bulk/", {"items": hris["export"][resource]}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def _sync_all(hris, django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        workers = _sync(hris, "workers")
        for worker_id in [r["id"] for r in workers["results"] if r["action"] == "create"]:
            pass_screening(Worker.objects.get(pk=worker_id))
        return {"workers": workers, "contracts": _sync(hris, "contracts"), "assignments": _sync(hris, "assignments")}


def _audit_rows() -> int:
    return pghistory.models.Events.objects.filter(
        pgh_obj_model__in=["workers.Worker", "providers.EmploymentContract", "assignments.Assignment"]
    ).count()


def test_round_trip_one_change_is_one_update_one_event_and_nothing_else(
    hris, rescans, django_capture_on_commit_callbacks
):
    first = _sync_all(hris, django_capture_on_commit_callbacks)
    assert [first[r]["created"] for r in ("workers", "contracts", "assignments")] == [SIZE] * 3
    assert WebhookEvent.objects.exists() and rescans

    # The nightly re-sync of the same export: all unchanged, nothing written or announced.
    events, audit = WebhookEvent.objects.count(), _audit_rows()
    rescans.clear()
    again = _sync_all(hris, django_capture_on_commit_callbacks)
    for resource in ("workers", "contracts", "assignments"):
        assert [r["action"] for r in again[resource]["results"]] == ["unchanged"] * SIZE
    assert (WebhookEvent.objects.count(), _audit_rows(), rescans) == (events, audit, [])

    # One field changes in the HR system.
    hris["export"]["workers"][3]["role_title"] = "Staff engineer"
    changed = _sync_all(hris, django_capture_on_commit_callbacks)
    actions = [r["action"] for resource in changed.values() for r in resource["results"]]
    assert actions.count("update") == 1 and actions.count("unchanged") == 3 * SIZE - 1
    updated = changed["workers"]["results"][3]
    assert updated["changes"] == {"role_title": ["Engineer", "Staff engineer"]}
    assert WebhookEvent.objects.count() == events + 1
    event = WebhookEvent.objects.order_by("-created_at").first().payload["data"]
    assert event["object"]["id"] == updated["id"] and event["changed_fields"] == ["role_title"]
    assert _audit_rows() == audit + 1
    assert rescans == [updated["id"]]


def test_an_unchanged_patch_and_put_are_silent(hris, rescans, django_capture_on_commit_callbacks):
    _sync_all(hris, django_capture_on_commit_callbacks)
    api = hris["client_api"]
    worker_id = _sync(hris, "workers")["results"][0]["id"]
    url = f"/api/v1/workers/{worker_id}/"
    read = api.get(url)
    events, audit = WebhookEvent.objects.count(), _audit_rows()
    rescans.clear()
    with django_capture_on_commit_callbacks(execute=True):
        patched = api.patch(url, {"role_title": "Engineer", "country": "de"}, format="json")
        put = api.put(url, read.json(), format="json")
    assert patched.status_code == put.status_code == 200
    assert patched["ETag"] == put["ETag"] == read["ETag"]
    assert patched.json()["updated_at"] == read.json()["updated_at"]
    assert (WebhookEvent.objects.count(), _audit_rows(), rescans) == (events, audit, [])
    # A real change is not silent.
    with django_capture_on_commit_callbacks(execute=True):
        changed = api.patch(url, {"role_title": "Lead"}, format="json")
    assert changed["ETag"] != read["ETag"] and WebhookEvent.objects.count() == events + 1 and rescans == [worker_id]


@pytest.mark.parametrize("resource", ["workers", "contracts", "assignments"])
def test_an_unknown_field_in_patch_or_put_is_a_400_naming_it(
    hris, rescans, django_capture_on_commit_callbacks, resource
):
    """A misspelt field is refused, naming it, instead of a 200 that silently changed nothing."""
    _sync_all(hris, django_capture_on_commit_callbacks)
    api = hris["provider_api"] if resource == "contracts" else hris["client_api"]
    row_id = _sync(hris, resource)["results"][0]["id"]
    url = f"/api/v1/{resource}/{row_id}/"
    read = api.get(url)
    events = WebhookEvent.objects.count()
    patched = api.patch(url, {"wekly_hours": "20"}, format="json")
    put = api.put(url, {**read.json(), "wekly_hours": "20"}, format="json")
    for response in (patched, put):
        assert response.status_code == 400, response.json()
        [error] = response.json()["errors"]
        assert error["field"] == "wekly_hours" and "Unknown field" in error["message"]
    assert api.get(url)["ETag"] == read["ETag"] and WebhookEvent.objects.count() == events
