"""One write path per resource (issue 8 point 2): a rule the single-object service enforces holds on
bulk upsert and CSV import too, because they validate with the same model and service rules. The
admin's forms are the fourth path: integrations/tests/test_admin_write_path.py proves the same
rule (and the gate, the overlap and the scoping) on them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import ClientFactory, make_actor
from providers import csv_import
from providers.models import ComplianceItem, EmploymentContract
from providers.tests.factories import ComplianceItemFactory, LegalEntityFactory, ProviderFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    provider = ProviderFactory()
    worker = WorkerFactory(provider=provider, client=ClientFactory(), external_id="W-1", country="DE")
    item = ComplianceItemFactory(worker=worker, provider=provider, kind="right_to_work", external_id="CI-1")
    entity = LegalEntityFactory(provider=provider, country="DE")
    return {"provider": provider, "worker": worker, "item": item, "entity": entity}


def _no_secrets_in_notes(self):
    # A stand-in for any rule a model holds in clean(): the test adds it, then tries every path.
    if "password" in (self.notes or "").lower():
        raise ValidationError({"notes": "Do not put passwords in notes."})


def test_a_model_rule_holds_on_the_single_api_bulk_and_csv(world, api_key_client, monkeypatch):
    monkeypatch.setattr(ComplianceItem, "clean", _no_secrets_in_notes)
    api = api_key_client(world["provider"].organization, ["compliance:write"])
    bad = "the portal password is hunter2"

    single = api.patch(f"/api/v1/compliance-items/{world['item'].id}/", {"notes": bad}, format="json")
    assert single.status_code == 400 and "notes" in {e["field"] for e in single.json()["errors"]}

    bulk = api.post("/api/v1/compliance-items/bulk/", {"items": [{"external_id": "CI-1", "notes": bad}]}, format="json")
    result = bulk.json()["results"][0]
    assert result["action"] == "error" and "passwords" in result["errors"]["notes"]

    actor = make_actor(world["provider"].organization, role="compliance_officer")
    job = csv_import.csv_import_create(
        actor=actor, kind="compliance_items", file_name="c.csv", content=f"external_id,notes\nCI-1,{bad}\n"
    )
    job = csv_import.csv_import_check(import_id=job.pk)
    assert job.error_rows == 1 and "notes" in job.report[0]["errors"]

    world["item"].refresh_from_db()
    assert world["item"].notes == ""
    # Without the rule the same values pass on every path: the rule, not the path, refused them.
    monkeypatch.undo()
    assert (
        api.post(
            "/api/v1/compliance-items/bulk/", {"items": [{"external_id": "CI-1", "notes": bad}]}, format="json"
        ).json()["results"][0]["action"]
        == "update"
    )


def test_a_contract_rule_holds_on_the_single_api_and_bulk(world, api_key_client):
    api = api_key_client(world["provider"].organization, ["contracts:write"])
    terms = {"contract_type": "employment", "weekly_hours": "40", "starts_on": "2026-03-01", "ends_on": "2026-02-01"}
    single = api.post(
        "/api/v1/contracts/",
        {**terms, "worker": str(world["worker"].id), "legal_entity": str(world["entity"].id)},
        format="json",
    )
    assert single.status_code == 400 and "ends_on" in {e["field"] for e in single.json()["errors"]}
    item = {**terms, "external_id": "C-1", "worker_external_id": "W-1", "legal_entity_country": "DE"}
    result = api.post("/api/v1/contracts/bulk/", {"items": [item]}, format="json").json()["results"][0]
    assert result["action"] == "error" and "ends_on" in result["errors"]
    assert not EmploymentContract.objects.exists()
    item["ends_on"] = str(dt.date(2026, 12, 31))
    assert (
        api.post("/api/v1/contracts/bulk/", {"items": [item]}, format="json").json()["results"][0]["action"] == "create"
    )


def test_payroll_and_compliance_bulk_honour_atomic_and_item_etags(world, api_key_client):
    api = api_key_client(world["provider"].organization, ["compliance:write"])
    url = "/api/v1/compliance-items/bulk/"
    etag = api.get(f"/api/v1/compliance-items/{world['item'].id}/")["ETag"]
    api.patch(f"/api/v1/compliance-items/{world['item'].id}/", {"notes": "changed meanwhile"}, format="json")
    stale = api.post(url, {"items": [{"external_id": "CI-1", "notes": "mine", "etag": etag}]}, format="json").json()
    assert stale["results"][0]["action"] == "error" and stale["results"][0]["code"] == "precondition_failed"
    world["item"].refresh_from_db()
    assert world["item"].notes == "changed meanwhile"
    fresh = api.get(f"/api/v1/compliance-items/{world['item'].id}/")["ETag"]
    ok = api.post(url, {"items": [{"external_id": "CI-1", "notes": "mine", "etag": fresh}]}, format="json").json()
    assert ok["results"][0]["action"] == "update"

    items = [
        {"external_id": "CI-1", "notes": "atomic"},
        {"worker_external_id": "W-1", "kind": "no_such_kind"},
    ]
    response = api.post(url + "?atomic=true", {"items": items}, format="json")
    assert response.status_code == 400 and response.json()["applied"] is False
    world["item"].refresh_from_db()
    assert world["item"].notes == "mine"
    payroll = api_key_client(world["provider"].organization, ["payroll:write"])
    response = payroll.post(
        "/api/v1/payroll-entries/bulk/?atomic=true", {"items": [{"external_id": "nope"}]}, format="json"
    )
    assert response.status_code == 400 and [e["field"] for e in response.json()["errors"]] == ["items[0].external_id"]
