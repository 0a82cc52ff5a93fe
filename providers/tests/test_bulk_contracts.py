"""POST /api/v1/contracts/bulk/: contracts upserted by external_id with the single-contract rules."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import ClientFactory
from providers.models import EmploymentContract
from providers.tests.factories import LegalEntityFactory, ProviderFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contracts/bulk/"


@pytest.fixture
def tenants():
    client = ClientFactory()
    provider_a, provider_b = ProviderFactory(), ProviderFactory()
    LegalEntityFactory(provider=provider_a, country="DE")
    entity_b = LegalEntityFactory(provider=provider_b, country="DE")
    worker_b = WorkerFactory(provider=provider_b, client=client, external_id="W-B")
    theirs = EmploymentContract.objects.create(
        provider=provider_b,
        worker=worker_b,
        legal_entity=entity_b,
        external_id="C-1",
        contract_type="employment",
        engagement_model="outstaffing",
        starts_on="2026-01-01",
        weekly_hours=40,
    )
    return {"client": client, "provider_a": provider_a, "provider_b": provider_b, "theirs": theirs}


def _workers(provider, client, count, start=0):
    return [WorkerFactory(provider=provider, client=client, external_id=f"W-{n}") for n in range(start, start + count)]


def _item(n, **extra):
    return {
        "external_id": f"C-{n}",
        "worker_external_id": f"W-{n}",
        "legal_entity_country": "DE",
        "contract_type": "employment",
        "engagement_model": "outstaffing",
        "starts_on": "2026-01-01",
        "signed_on": "2025-12-15",
        "weekly_hours": "40",
        **extra,
    }


def test_create_unchanged_update(tenants, api_key_client):
    _workers(tenants["provider_a"], tenants["client"], 3)
    api = api_key_client(tenants["provider_a"].organization, ["contracts:write"])
    items = [_item(n) for n in range(3)]
    body = api.post(URL, {"items": items}, format="json").json()
    assert body["created"] == 3, body
    stamps = dict(EmploymentContract.objects.filter(provider=tenants["provider_a"]).values_list("id", "updated_at"))
    items[2]["weekly_hours"] = "32.0"
    results = api.post(URL, {"items": items}, format="json").json()["results"]
    assert [r["action"] for r in results] == ["unchanged", "unchanged", "update"]
    assert results[2]["changes"] == {"weekly_hours": ["40.0", "32.0"]}
    after = dict(EmploymentContract.objects.filter(provider=tenants["provider_a"]).values_list("id", "updated_at"))
    assert [after[k] == v for k, v in stamps.items()].count(False) == 1


def test_another_providers_contract_is_never_touched(tenants, api_key_client):
    theirs = tenants["theirs"]
    api = api_key_client(tenants["provider_a"].organization, ["contracts:write"])
    # The same external id at provider A is A's own key space: it cannot reach B's contract, and
    # B's worker is unknown to A.
    item = _item(1, worker_external_id="W-B", weekly_hours="10")
    result = api.post(URL, {"items": [item]}, format="json").json()["results"][0]
    assert result["action"] == "error" and "worker_external_id" in result["errors"]
    item = _item(1, worker=str(theirs.worker_id), weekly_hours="10")
    item.pop("worker_external_id")
    result = api.post(URL, {"items": [item]}, format="json").json()["results"][0]
    assert result["action"] == "error" and "worker" in result["errors"]
    theirs.refresh_from_db()
    assert theirs.weekly_hours == 40
    # A client reads contracts but never writes them.
    client_api = api_key_client(tenants["client"], ["contracts:write"])
    assert client_api.post(URL, {"items": [_item(1)]}, format="json").status_code == 403


def test_query_count_is_constant_per_chunk(tenants, api_key_client):
    _workers(tenants["provider_a"], tenants["client"], 3)
    _workers(tenants["provider_a"], tenants["client"], 200, start=100)
    api = api_key_client(tenants["provider_a"].organization, ["contracts:write"])

    def run(items):
        with CaptureQueriesContext(connection) as queries:
            assert api.post(URL, {"items": items}, format="json").status_code == 200
        return len(queries)

    run([_item(999)])  # warm up (the key's first use)
    few, many = [_item(n) for n in range(3)], [_item(n) for n in range(100, 300)]
    assert run(few) == run(many)
    assert run(few) == run(many)
    for item in [few[0], *many]:
        item["weekly_hours"] = "30"
    assert run(few) == run(many)
