"""Warn before saving, in bulk (issue #12): `POST /api/v1/{assignments,contracts,workers}/bulk/`
answers each item's `risk_preview` (the flags its worker would get) and the call's, by the same rules
as the scan; `?preview=true` says what each item would do and writes nothing — no row, no audit
version, no webhook event, no rescan, no stored Idempotency-Key answer."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import ClientFactory
from assignments.models import Assignment
from assignments.tests.conftest import pass_screening
from assignments.tests.factories import AssignmentFactory
from providers.models import EmploymentContract
from providers.tests.factories import EmploymentContractFactory
from risks.models import RiskFlag
from risks.rules.tenure import add_months
from workers.models import Worker
from workers.tests.factories import WorkerFactory

from .conftest import preview_counts

pytestmark = pytest.mark.django_db


def _extend_past_the_cap(german_placement):
    placement, today = german_placement["assignment"], german_placement["today"]
    Assignment.objects.filter(pk=placement.pk).update(external_id="A-DE")
    return {"external_id": "A-DE", "ends_on": (today + dt.timedelta(days=200)).isoformat()}


def test_bulk_preview_says_what_each_item_would_do_and_writes_nothing(
    german_placement, api_key_client, django_capture_on_commit_callbacks
):
    api = api_key_client(german_placement["client"], ["assignments:write"])
    item = _extend_past_the_cap(german_placement)
    before = preview_counts()
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post("/api/v1/assignments/bulk/?preview=true", {"items": [item]}, format="json")
    assert response.status_code == 200, response.content
    assert response["Risk-Preview"] == "not saved"
    body = response.json()
    assert body["preview"] is True and body["updated"] == 1
    (result,) = body["results"]
    assert result["action"] == "update" and result["changes"]["ends_on"][1] == item["ends_on"]
    (warning,) = [p for p in result["risk_preview"] if p["rule_code"] == "tenure_cap_approaching"]
    placement = german_placement["assignment"]
    assert warning["change"] == "opens" and warning["assignment"] == str(placement.id)
    assert warning["evidence"]["facts"]["cap_date"] == add_months(placement.starts_on, 18).isoformat()
    assert warning in body["risk_preview"]
    assert preview_counts() == before and callbacks == []
    placement.refresh_from_db()
    assert placement.ends_on == german_placement["today"] + dt.timedelta(days=20)


def test_bulk_saved_answers_each_items_risk_preview(german_placement, api_key_client):
    api = api_key_client(german_placement["client"], ["assignments:write"])
    item = _extend_past_the_cap(german_placement)
    response = api.post("/api/v1/assignments/bulk/", {"items": [item]}, format="json")
    assert response.status_code == 200 and "Risk-Preview" not in response
    body = response.json()
    assert body["preview"] is False
    assert "tenure_cap_approaching" in {p["rule_code"] for p in body["results"][0]["risk_preview"]}
    german_placement["assignment"].refresh_from_db()
    assert german_placement["assignment"].ends_on.isoformat() == item["ends_on"]


def test_bulk_contract_preview_of_a_contractor_contract(german_placement, api_key_client):
    worker = german_placement["worker"]
    Worker.objects.filter(pk=worker.pk).update(external_id="W-DE")
    api = api_key_client(worker.provider.organization, ["contracts:write"])
    today = german_placement["today"].isoformat()
    items = [
        {
            "external_id": "C-NEW",
            "worker_external_id": "W-DE",
            "legal_entity_country": "DE",
            "contract_type": "contractor",
            "engagement_model": "outstaffing",
            "signed_on": today,
            "starts_on": today,
            "weekly_hours": "40.0",
        },
        {"external_id": "C-BAD", "worker_external_id": "nobody", "contract_type": "contractor"},
    ]
    before = preview_counts()
    response = api.post("/api/v1/contracts/bulk/?preview=true", {"items": items}, format="json")
    assert response.status_code == 200, response.content
    good, bad = response.json()["results"]
    assert good["action"] == "create"
    assert "contractor_full_time_direction" in {p["rule_code"] for p in good["risk_preview"]}
    assert bad["action"] == "error" and bad["risk_preview"] == []
    assert preview_counts() == before
    assert not EmploymentContract.objects.filter(external_id="C-NEW").exists()


def test_bulk_worker_dates_preview(german_placement, api_key_client):
    worker = german_placement["worker"]
    Worker.objects.filter(pk=worker.pk).update(external_id="W-DE")
    api = api_key_client(german_placement["client"], ["workers:write"])
    moved = (german_placement["today"] - dt.timedelta(days=40)).isoformat()
    before = preview_counts()
    response = api.post(
        "/api/v1/workers/bulk/?preview=true", {"items": [{"external_id": "W-DE", "start_date": moved}]}, format="json"
    )
    assert response.status_code == 200, response.content
    (result,) = response.json()["results"]
    assert result["action"] == "update" and result["changes"]["start_date"][1] == moved
    # 40 days in, the day-30 check-in was never done: the new dates raise the attrition signal.
    assert "checkin_overdue" in {p["rule_code"] for p in result["risk_preview"]}
    assert all(p["worker"] == str(worker.id) for p in result["risk_preview"])
    assert preview_counts() == before
    worker.refresh_from_db()
    assert worker.start_date == add_months(german_placement["today"], -17)


def test_a_preview_stores_no_idempotency_answer(german_placement, api_key_client):
    api = api_key_client(german_placement["client"], ["assignments:write"])
    item = _extend_past_the_cap(german_placement)
    headers = {"HTTP_IDEMPOTENCY_KEY": "sync-42"}
    preview = api.post("/api/v1/assignments/bulk/?preview=true", {"items": [item]}, format="json", **headers)
    assert preview.status_code == 200 and "Idempotent-Replayed" not in preview
    saved = api.post("/api/v1/assignments/bulk/", {"items": [item]}, format="json", **headers)
    assert saved.status_code == 200 and "Idempotent-Replayed" not in saved and saved.json()["updated"] == 1
    german_placement["assignment"].refresh_from_db()
    assert german_placement["assignment"].ends_on.isoformat() == item["ends_on"]


def test_another_tenant_gets_no_preview_of_my_workers(german_placement, api_key_client):
    _extend_past_the_cap(german_placement)
    stranger = api_key_client(ClientFactory(), ["assignments:write"])
    item = {"external_id": "A-DE", "worker": str(german_placement["worker"].id), "role": "X", "starts_on": "2026-01-01"}
    item["weekly_hours"] = "40.0"
    response = stranger.post("/api/v1/assignments/bulk/?preview=true", {"items": [item]}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["action"] == "error" and "worker" in body["results"][0]["errors"]
    assert body["risk_preview"] == [] and body["results"][0]["risk_preview"] == []
    assert german_placement["worker"].full_name not in response.content.decode()
    assert not RiskFlag.objects.filter(worker=german_placement["worker"]).exists()


def test_bulk_preview_query_count_does_not_grow_with_items(german_placement, api_key_client):
    client = german_placement["client"]
    api = api_key_client(client, ["assignments:write"])
    team = german_placement["assignment"].team

    def placements(count, prefix):
        items = []
        for n in range(count):
            worker = WorkerFactory(client=client, provider=german_placement["worker"].provider, country="DE")
            pass_screening(worker)
            EmploymentContractFactory(worker=worker, legal_entity=german_placement["entity"], starts_on="2026-01-01")
            AssignmentFactory(worker=worker, team=team, external_id=f"{prefix}-{n}", starts_on="2026-01-01")
            items.append({"external_id": f"{prefix}-{n}", "weekly_hours": "32.0"})
        return items

    def run(items):
        with CaptureQueriesContext(connection) as queries:
            response = api.post("/api/v1/assignments/bulk/?preview=true", {"items": items}, format="json")
        assert response.status_code == 200 and response.json()["updated"] == len(items), response.json()
        return len(queries)

    few, many = placements(2, "F"), placements(12, "M")
    run(few)  # warm up (the key's first use)
    assert run(few) == run(many)


def test_the_preview_severities_are_the_flags_severities():
    from outstaff.api.preview import SEVERITIES  # noqa: PLC0415
    from risks.choices import Severity  # noqa: PLC0415

    assert list(SEVERITIES) == list(Severity.choices)
