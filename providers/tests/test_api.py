import pghistory.models
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from providers.models import ComplianceItem, EmploymentContract, LegalEntity, PayrollEntry
from providers.tests.factories import (
    ComplianceItemFactory,
    EmploymentContractFactory,
    LegalEntityFactory,
    PayrollEntryFactory,
    PayrollRunFactory,
    ProviderFactory,
)
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- providers ---------------------------------------------------------------------------------------
def test_provider_sees_and_updates_only_its_own_profile(tenants, api_key_client):
    a, b = tenants["provider_a"], tenants["provider_b"]
    api = api_key_client(a.organization, ["providers:write"])
    assert ids(api.get("/api/v1/providers/")) == {str(a.pk)}
    response = api.patch(f"/api/v1/providers/{a.pk}/", {"legal_name": "A GmbH"}, format="json")
    assert response.status_code == 200, response.json()
    assert api.patch(f"/api/v1/providers/{b.pk}/", {"legal_name": "Hacked"}, format="json").status_code == 404
    b.refresh_from_db()
    assert b.legal_name != "Hacked"


def test_client_reads_the_provider_directory_but_cannot_write(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["providers:write"])
    a = tenants["provider_a"]
    assert str(a.pk) in ids(api.get("/api/v1/providers/"))
    assert api.patch(f"/api/v1/providers/{a.pk}/", {"legal_name": "X"}, format="json").status_code == 403


# --- legal entities ----------------------------------------------------------------------------------
def test_legal_entities_scoped_per_tenant(tenants, api_key_client):
    provider_api = api_key_client(tenants["provider_a"].organization, ["providers:read"])
    assert ids(provider_api.get("/api/v1/legal-entities/")) == {str(tenants["entity_a"].id)}
    client_api = api_key_client(tenants["client_a"], ["providers:read"])
    assert ids(client_api.get("/api/v1/legal-entities/")) == {str(tenants["entity_a"].id)}
    assert client_api.get(f"/api/v1/legal-entities/{tenants['entity_b'].id}/").status_code == 404


def test_provider_creates_legal_entity_and_cannot_touch_anothers(tenants, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["providers:write"])
    payload = {
        "country": "pl",
        "name": "A Sp. z o.o.",
        "registration_number": "KRS 1",
        "staffing_licence_number": "KRAZ 9",
    }
    response = api.post("/api/v1/legal-entities/", payload, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"staffing_licence_expires_on"}
    payload["staffing_licence_expires_on"] = "2027-06-30"
    response = api.post("/api/v1/legal-entities/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["country"] == "PL" and response.json()["staffing_licence_required"] is True
    other = tenants["entity_b"]
    assert api.patch(f"/api/v1/legal-entities/{other.id}/", {"name": "Hacked"}, format="json").status_code == 404
    assert LegalEntity.objects.get(id=other.id).name != "Hacked"


def test_client_cannot_create_legal_entity(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["providers:write"])
    payload = {"country": "DE", "name": "X", "registration_number": "1"}
    assert api.post("/api/v1/legal-entities/", payload, format="json").status_code == 403


# --- contracts ---------------------------------------------------------------------------------------
def _contract_payload(tenants, **overrides):
    payload = {
        "worker": str(tenants["mine"].id),
        "legal_entity": str(tenants["entity_a"].id),
        "contract_type": "employment",
        "engagement_model": "outstaffing",
        "signed_on": "2026-01-05",
        "starts_on": "2026-01-15",
        "weekly_hours": "40.0",
        "external_id": "C-1",
    }
    payload.update(overrides)
    return payload


def test_provider_creates_contract_and_signal_is_sent(tenants, api_key_client, django_capture_on_commit_callbacks):
    from outstaff.signals import worker_changed

    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    worker_changed.connect(receiver)
    try:
        api = api_key_client(tenants["provider_a"].organization, ["contracts:write"])
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post("/api/v1/contracts/", _contract_payload(tenants), format="json")
    finally:
        worker_changed.disconnect(receiver)
    assert response.status_code == 201, response.json()
    assert (tenants["mine"].id, "providers.EmploymentContract") in [(r["worker_id"], r["source"]) for r in received]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": "2026-01-01"}, "ends_on"),
        ({"weekly_hours": "90"}, "weekly_hours"),
    ],
)
def test_contract_validation(tenants, api_key_client, overrides, field):
    api = api_key_client(tenants["provider_a"].organization, ["contracts:write"])
    payload = _contract_payload(tenants, **overrides)
    response = api.post("/api/v1/contracts/", payload, format="json")
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not EmploymentContract.objects.exists()


def test_contract_cannot_use_another_providers_entity_or_worker(tenants, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["contracts:write"])
    response = api.post(
        "/api/v1/contracts/", _contract_payload(tenants, legal_entity=str(tenants["entity_b"].id)), format="json"
    )
    assert response.status_code == 400 and "legal_entity" in {e["field"] for e in response.json()["errors"]}
    response = api.post(
        "/api/v1/contracts/", _contract_payload(tenants, worker=str(tenants["theirs"].id)), format="json"
    )
    assert response.status_code == 400 and "worker" in {e["field"] for e in response.json()["errors"]}
    assert not EmploymentContract.objects.exists()


def test_clients_read_only_their_workers_contracts(tenants, api_key_client):
    mine = EmploymentContractFactory(worker=tenants["mine"])
    theirs = EmploymentContractFactory(worker=tenants["theirs"])
    api = api_key_client(tenants["client_a"], ["contracts:write"])
    assert ids(api.get("/api/v1/contracts/")) == {str(mine.id)}
    assert api.get(f"/api/v1/contracts/{theirs.id}/").status_code == 404
    assert api.patch(f"/api/v1/contracts/{mine.id}/", {"weekly_hours": "10"}, format="json").status_code == 403


def test_contracts_filter_updated_since(tenants, api_key_client):
    contract = EmploymentContractFactory(worker=tenants["mine"])
    api = api_key_client(tenants["provider_a"].organization, ["contracts:read"])
    stamp = contract.updated_at.isoformat()
    assert ids(api.get("/api/v1/contracts/", {"updated_since": stamp})) == {str(contract.id)}
    assert ids(api.get("/api/v1/contracts/", {"updated_since": "2999-01-01T00:00:00Z"})) == set()


# --- payroll runs ------------------------------------------------------------------------------------
def test_creating_a_run_creates_entries_for_active_workers_in_that_country(tenants, api_key_client):
    provider = tenants["provider_a"]
    WorkerFactory(provider=provider, client=tenants["client_a"], country="PL")
    WorkerFactory(provider=provider, client=tenants["client_a"], country="DE", status="onboarding")
    second = WorkerFactory(provider=provider, client=tenants["client_b"], country="DE")
    api = api_key_client(provider.organization, ["payroll:write"])
    response = api.post(
        "/api/v1/payroll-runs/", {"country": "de", "period_start": "2026-10-01", "period_end": "2026-10-31"}
    )
    assert response.status_code == 201, response.json()
    entries = PayrollEntry.objects.filter(run_id=response.json()["id"])
    assert {e.worker_id for e in entries} == {tenants["mine"].id, second.id}
    assert response.json()["pay_date"] == "2026-10-31"


def test_run_period_must_be_ordered_and_unique(tenants, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["payroll:write"])
    bad = api.post("/api/v1/payroll-runs/", {"country": "DE", "period_start": "2026-10-31", "period_end": "2026-10-01"})
    assert bad.status_code == 400
    good = {"country": "DE", "period_start": "2026-10-01", "period_end": "2026-10-31"}
    assert api.post("/api/v1/payroll-runs/", good).status_code == 201
    assert api.post("/api/v1/payroll-runs/", good).status_code == 400


def test_payroll_runs_are_invisible_to_clients_and_other_providers(tenants, api_key_client):
    run = PayrollRunFactory(provider=tenants["provider_a"])
    assert ids(api_key_client(tenants["client_a"], ["payroll:read"]).get("/api/v1/payroll-runs/")) == set()
    other = api_key_client(tenants["provider_b"].organization, ["payroll:write"])
    assert ids(other.get("/api/v1/payroll-runs/")) == set()
    assert other.patch(f"/api/v1/payroll-runs/{run.id}/", {"external_id": "X"}).status_code == 404


# --- payroll entries ---------------------------------------------------------------------------------
@pytest.fixture
def entries(tenants):
    mine = PayrollEntryFactory(worker=tenants["mine"], external_id="E-1")
    theirs = PayrollEntryFactory(worker=tenants["theirs"], external_id="E-1")
    return {"mine": mine, "theirs": theirs}


def test_entries_scoped_for_providers_and_clients(tenants, entries, api_key_client):
    assert ids(
        api_key_client(tenants["provider_a"].organization, ["payroll:read"]).get("/api/v1/payroll-entries/")
    ) == {str(entries["mine"].id)}
    client_api = api_key_client(tenants["client_a"], ["payroll:read"])
    assert ids(client_api.get("/api/v1/payroll-entries/")) == {str(entries["mine"].id)}
    assert client_api.get(f"/api/v1/payroll-entries/{entries['theirs'].id}/").status_code == 404


def test_client_cannot_change_entries(tenants, entries, api_key_client):
    api = api_key_client(tenants["client_a"], ["payroll:write"])
    response = api.patch(f"/api/v1/payroll-entries/{entries['mine'].id}/", {"status": "paid"})
    assert response.status_code == 403
    entries["mine"].refresh_from_db()
    assert entries["mine"].status == "scheduled"


def test_other_provider_cannot_change_entry(tenants, entries, api_key_client):
    api = api_key_client(tenants["provider_b"].organization, ["payroll:write"])
    assert api.patch(f"/api/v1/payroll-entries/{entries['mine'].id}/", {"status": "paid"}).status_code == 404
    entries["mine"].refresh_from_db()
    assert entries["mine"].status == "scheduled"


def test_failed_needs_reason_and_backwards_move_needs_reason(tenants, entries, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["payroll:write"])
    url = f"/api/v1/payroll-entries/{entries['mine'].id}/"
    response = api.patch(url, {"status": "failed"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "failure_reason"
    assert api.patch(url, {"status": "paid"}).json()["paid_at"]
    response = api.patch(url, {"status": "processing"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reason"
    response = api.patch(url, {"status": "processing", "reason": "Bank recalled the transfer"})
    assert response.status_code == 200, response.json()
    assert response.json()["status_reason"] == "Bank recalled the transfer"
    assert response.json()["paid_at"] is None
    entry = entries["mine"]
    statuses = [event.status for event in entry.events.order_by("pgh_id")]
    assert statuses == ["scheduled", "paid", "processing"]


def test_api_key_change_is_audited_with_the_key(tenants, entries, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["payroll:write"])
    api.patch(f"/api/v1/payroll-entries/{entries['mine'].id}/", {"status": "on_hold"})
    event = entries["mine"].events.order_by("-pgh_id").first()
    assert event.status == "on_hold"
    metadata = pghistory.models.Context.objects.get(id=event.pgh_context_id).metadata
    assert metadata["channel"] == "api" and metadata["api_key_name"] == "test key"


def test_if_match_prevents_a_silent_overwrite(tenants, entries, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["payroll:write"])
    url = f"/api/v1/payroll-entries/{entries['mine'].id}/"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"status": "processing"}, HTTP_IF_MATCH=etag).status_code == 200
    stale = api.patch(url, {"status": "on_hold"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    entries["mine"].refresh_from_db()
    assert entries["mine"].status == "processing"


def test_entry_list_query_count_does_not_grow(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["payroll:read"])
    PayrollEntryFactory(worker=tenants["mine"])
    api.get("/api/v1/payroll-entries/")
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/payroll-entries/")
    for _ in range(8):
        PayrollEntryFactory(worker=WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"]))
    with CaptureQueriesContext(connection) as many:
        response = api.get("/api/v1/payroll-entries/")
    assert len(response.json()["results"]) == 9
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("url", "make", "scope"),
    [
        ("/api/v1/compliance-items/", lambda w: ComplianceItemFactory(worker=w), "compliance:read"),
        ("/api/v1/contracts/", lambda w: EmploymentContractFactory(worker=w), "contracts:read"),
        ("/api/v1/payroll-runs/", lambda w: PayrollRunFactory(provider=w.provider), "payroll:read"),
        ("/api/v1/legal-entities/", lambda w: LegalEntityFactory(provider=w.provider), "providers:read"),
    ],
)
def test_other_lists_query_count_does_not_grow(tenants, api_key_client, url, make, scope):
    api = api_key_client(tenants["provider_a"].organization, [scope])
    make(tenants["mine"])
    api.get(url)
    with CaptureQueriesContext(connection) as few:
        api.get(url)
    for _ in range(6):
        make(WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"]))
    with CaptureQueriesContext(connection) as many:
        api.get(url)
    assert len(many) == len(few)


# --- bulk upsert -------------------------------------------------------------------------------------
def test_bulk_upsert_entries_reports_per_item(tenants, entries, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["payroll:write"])
    run = entries["mine"].run
    newcomer = WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"], external_id="W-2")
    items = [
        {"external_id": "E-1", "status": "paid", "gross_amount": "4200.00", "currency": "eur"},
        {
            "external_id": "E-2",
            "worker_external_id": "W-2",
            "run": str(run.id),
            "status": "failed",
            "failure_reason": "IBAN rejected",
        },
        {"external_id": "E-3", "worker_external_id": "NOPE", "run": str(run.id), "status": "paid"},
        {"external_id": "E-4", "worker": str(tenants["theirs"].id), "run": str(run.id), "status": "paid"},
        {"external_id": "E-5", "worker_external_id": "W-2", "run": str(run.id), "status": "sent"},
    ]
    response = api.post("/api/v1/payroll-entries/bulk/", {"items": items})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [r["action"] for r in body["results"]] == ["update", "create", "error", "error", "error"]
    assert (body["created"], body["updated"], body["errors"]) == (1, 1, 3)
    assert "worker_external_id" in body["results"][2]["errors"]
    assert "worker" in body["results"][3]["errors"]
    assert "status" in body["results"][4]["errors"]
    entries["mine"].refresh_from_db()
    assert entries["mine"].status == "paid" and entries["mine"].currency == "EUR"
    created = PayrollEntry.objects.get(external_id="E-2", provider=tenants["provider_a"])
    assert created.worker == newcomer and created.failure_reason == "IBAN rejected"
    assert str(created.id) == body["results"][1]["id"]
    entries["theirs"].refresh_from_db()
    assert entries["theirs"].status == "scheduled"
    # Repeating the call changes nothing.
    again = api.post("/api/v1/payroll-entries/bulk/", {"items": items[:2]}).json()
    assert [r["action"] for r in again["results"]] == ["unchanged", "unchanged"]


def test_bulk_upsert_refuses_a_misspelt_field_instead_of_ignoring_it(tenants, entries, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["payroll:write", "compliance:write"])
    items = [{"external_id": "E-1", "status": "paid"}, {"external_id": "E-1", "stauts": "failed"}]
    response = api.post("/api/v1/payroll-entries/bulk/", {"items": items})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["items.1.stauts"]
    entries["mine"].refresh_from_db()
    assert entries["mine"].status == "scheduled"  # nothing applied, not even the good item
    compliance = api.post("/api/v1/compliance-items/bulk/", {"items": [{"worker": "x", "kind": "tax", "expiry": "1"}]})
    assert compliance.status_code == 400
    assert "Known fields:" in compliance.json()["errors"][0]["message"]


def test_bulk_upsert_is_limited_to_1000_items(tenants, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["payroll:write"])
    response = api.post("/api/v1/payroll-entries/bulk/", {"items": [{"external_id": str(i)} for i in range(1001)]})
    assert response.status_code == 400


def test_bulk_upsert_by_client_is_forbidden(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["compliance:write"])
    response = api.post(
        "/api/v1/compliance-items/bulk/", {"items": [{"worker_external_id": "W-1", "kind": "ip_assignment"}]}
    )
    assert response.status_code == 403
    assert not ComplianceItem.objects.exists()


def test_bulk_upsert_compliance_items(tenants, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["compliance:write"])
    existing = ComplianceItemFactory(worker=tenants["mine"], kind="right_to_work", status="submitted")
    items = [
        {
            "worker_external_id": "W-1",
            "kind": "right_to_work",
            "status": "verified",
            "expires_on": "2030-01-01",
            "external_id": "CI-1",
        },
        {"worker_external_id": "W-1", "kind": "tax_registration", "status": "submitted", "evidence_reference": "TAX-9"},
        {"worker_external_id": "W-1", "kind": "telepathy", "status": "verified"},
        {"worker_external_id": "W-1", "kind": "ip_assignment", "expires_on": "31/12/2030"},
    ]
    body = api.post("/api/v1/compliance-items/bulk/", {"items": items}).json()
    assert [r["action"] for r in body["results"]] == ["update", "create", "error", "error"]
    existing.refresh_from_db()
    assert existing.status == "verified" and existing.external_id == "CI-1" and existing.verified_at is not None
    assert ComplianceItem.objects.filter(worker=tenants["mine"]).count() == 2
    # The other provider's worker with the same external id was not touched.
    assert not ComplianceItem.objects.filter(worker=tenants["theirs"]).exists()


# --- compliance items --------------------------------------------------------------------------------
def test_compliance_items_scoped_and_writable_only_by_the_employer(tenants, api_key_client):
    mine = ComplianceItemFactory(worker=tenants["mine"])
    theirs = ComplianceItemFactory(worker=tenants["theirs"])
    client_api = api_key_client(tenants["client_a"], ["compliance:read"])
    assert ids(client_api.get("/api/v1/compliance-items/")) == {str(mine.id)}
    provider_api = api_key_client(tenants["provider_a"].organization, ["compliance:write"])
    assert provider_api.patch(f"/api/v1/compliance-items/{theirs.id}/", {"status": "verified"}).status_code == 404
    response = provider_api.post(
        "/api/v1/compliance-items/", {"worker": str(tenants["theirs"].id), "kind": "ip_assignment"}
    )
    assert response.status_code == 400
    response = provider_api.post(
        "/api/v1/compliance-items/", {"worker": str(tenants["mine"].id), "kind": "ip_assignment", "status": "verified"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["required"] is True and response.json()["verified_at"]


def test_compliance_item_past_expiry_is_stored_expired(tenants, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["compliance:write"])
    response = api.post(
        "/api/v1/compliance-items/",
        {"worker": str(tenants["mine"].id), "kind": "right_to_work", "status": "verified", "expires_on": "2020-01-01"},
    )
    assert response.status_code == 201 and response.json()["status"] == "expired"


def test_provider_directory_query_count_does_not_grow(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["providers:read"])
    api.get("/api/v1/providers/")
    with CaptureQueriesContext(connection) as few:
        first = api.get("/api/v1/providers/")
    ProviderFactory.create_batch(5)
    with CaptureQueriesContext(connection) as many:
        second = api.get("/api/v1/providers/")
    assert len(second.json()["results"]) == len(first.json()["results"]) + 5
    assert len(many) == len(few)


def test_bulk_upsert_of_1000_items_is_set_based(tenants, api_key_client):
    provider = tenants["provider_a"]
    run = PayrollRunFactory(provider=provider, country="DE")
    worker_model = type(tenants["mine"])
    workers = worker_model.objects.bulk_create(
        [
            worker_model(
                provider=provider,
                client=tenants["client_a"],
                first_name="W",
                last_name=str(i),
                work_email=f"bulk{i}@example.test",
                country="DE",
                status="active",
                external_id=f"B-{i}",
            )
            for i in range(1000)
        ]
    )
    items = [
        {"external_id": f"PE-{i}", "worker_external_id": w.external_id, "run": str(run.id), "status": "paid"}
        for i, w in enumerate(workers)
    ]
    api = api_key_client(provider.organization, ["payroll:write"])
    with CaptureQueriesContext(connection) as queries:
        response = api.post("/api/v1/payroll-entries/bulk/", {"items": items})
    assert response.status_code == 200
    assert response.json()["created"] == 1000
    assert len(queries) < 30
    assert PayrollEntry.objects.filter(run=run, status="paid").count() == 1000


@pytest.mark.parametrize(
    "item, field",
    [
        ({"external_id": "E-1", "status": "paid", "gross_amount": "Infinity"}, "gross_amount"),
        ({"external_id": "E-1", "status": "paid", "gross_amount": "sNaN"}, "gross_amount"),
        ({"external_id": "E-1", "status": "failed", "failure_reason": "IBAN\u0000rejected"}, "failure_reason"),
    ],
)
def test_bulk_upsert_refuses_values_the_database_cannot_store(tenants, entries, api_key_client, item, field):
    """Infinity, NaN and NUL characters are errors of their item (a 200 with the item's error), not
    a 500 from the database or from comparing a non-finite Decimal."""
    api = api_key_client(tenants["provider_a"].organization, ["payroll:write"])
    good = {"external_id": "E-1", "status": "on_hold"}
    response = api.post("/api/v1/payroll-entries/bulk/", {"items": [item]}, format="json")
    assert response.status_code == 200, response.content
    result = response.json()["results"][0]
    assert result["action"] == "error" and field in result["errors"]
    assert api.post("/api/v1/payroll-entries/bulk/", {"items": [good]}, format="json").status_code == 200
    entries["mine"].refresh_from_db()
    assert entries["mine"].status == "on_hold"


def test_bulk_upsert_refuses_an_over_long_external_id_and_nul_in_compliance_text(tenants, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["compliance:write"])
    items = [
        {"worker_external_id": "W-1", "kind": "right_to_work", "external_id": "X" * 129},
        {"worker_external_id": "W-1", "kind": "tax_registration", "notes": "a\u0000b"},
        {"worker_external_id": "W-1", "kind": "background_check", "status": "submitted"},
    ]
    response = api.post("/api/v1/compliance-items/bulk/", {"items": items}, format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["action"] for r in results] == ["error", "error", "create"]
    assert "external_id" in results[0]["errors"] and "notes" in results[1]["errors"]
    assert list(ComplianceItem.objects.values_list("kind", flat=True)) == ["background_check"]


def test_a_worker_moved_to_another_provider_does_not_take_the_old_providers_records(tenants, api_key_client, client):
    """Provider B now employs a worker provider A used to employ (changed in the admin): B sees
    none of A's payroll entries or compliance items, by API or page, and A's records stay A's."""
    worker = tenants["mine"]
    entry = PayrollEntryFactory(worker=worker, status="failed", failure_reason="A's bank note")
    item = ComplianceItemFactory(worker=worker, status="verified")
    type(worker).objects.filter(pk=worker.pk).update(provider=tenants["provider_b"], external_id="W-MOVED")
    api = api_key_client(tenants["provider_b"].organization, ["payroll:write", "compliance:write"])
    assert ids(api.get("/api/v1/payroll-entries/")) == set()
    assert ids(api.get("/api/v1/compliance-items/")) == set()
    assert api.get(f"/api/v1/payroll-entries/{entry.id}/").status_code == 404
    assert api.patch(f"/api/v1/compliance-items/{item.id}/", {"notes": "x"}, format="json").status_code == 404
    from accounts.tests.factories import make_actor

    client.force_login(make_actor(tenants["provider_b"].organization).user)
    assert client.get(f"/provider/payroll/entries/{entry.id}/").status_code == 404
    assert client.get(f"/provider/compliance/{item.id}/").status_code == 404
    home = client.get("/provider/").content.decode()
    assert worker.full_name in home and "A&#x27;s bank note" not in home
    (row,) = [w for w in client.get("/provider/").context["workers"] if w.id == worker.id]
    assert row.payroll_status is None and row.compliance_verified == 0
    assert all(r["item"] is None for r in row.compliance["required"])


def test_bulk_upserts_are_audited_with_the_key_and_shown_in_the_history(tenants, entries, api_key_client, client):
    api = api_key_client(tenants["provider_a"].organization, ["payroll:write", "compliance:write"])
    api.post("/api/v1/payroll-entries/bulk/", {"items": [{"external_id": "E-1", "status": "on_hold"}]}, format="json")
    items = [{"worker_external_id": "W-1", "kind": "right_to_work", "status": "submitted"}]
    created = api.post("/api/v1/compliance-items/bulk/", {"items": items}, format="json").json()["results"][0]
    item = ComplianceItem.objects.get(id=created["id"])
    for row in (entries["mine"], item):
        event = row.events.order_by("-pgh_id").first()
        metadata = pghistory.models.Context.objects.get(id=event.pgh_context_id).metadata
        assert metadata["channel"] == "api" and metadata["api_key_name"] == "test key"
    from accounts.tests.factories import make_actor

    client.force_login(make_actor(tenants["provider_a"].organization).user)
    for url in (f"/provider/payroll/entries/{entries['mine'].id}/", f"/provider/compliance/{item.id}/"):
        history = client.get(url).context["history"]
        assert history[0]["channel"] == "api" and history[0]["api_key_name"] == "test key"


@pytest.mark.parametrize(
    ("url", "scope", "item", "changed"),
    [
        (
            "/api/v1/payroll-entries/bulk/",
            "payroll:write",
            lambda worker, run: {
                "external_id": f"PE-{worker.external_id}",
                "worker_external_id": worker.external_id,
                "run": str(run.id),
                "gross_amount": "1000.00",
                "currency": "EUR",
            },
            {"gross_amount": "1200.00"},
        ),
        (
            "/api/v1/compliance-items/bulk/",
            "compliance:write",
            lambda worker, run: {
                "external_id": f"CI-{worker.external_id}",
                "worker_external_id": worker.external_id,
                "kind": "right_to_work",
                "status": "submitted",
                "evidence_reference": "RTW",
            },
            {"evidence_reference": "RTW-2"},
        ),
    ],
    ids=["payroll-entries", "compliance-items"],
)
def test_bulk_query_count_is_constant_per_chunk(tenants, api_key_client, url, scope, item, changed):
    """Creating, re-sending unchanged and updating 3 or 300 items costs the same queries (one chunk)."""
    provider = tenants["provider_a"]
    run = PayrollRunFactory(provider=provider, country="DE")
    worker_model = type(tenants["mine"])
    workers = worker_model.objects.bulk_create(
        [
            worker_model(
                provider=provider,
                client=tenants["client_a"],
                first_name="W",
                last_name=str(i),
                work_email=f"qc{i}@example.test",
                country="DE",
                status="active",
                external_id=f"Q-{i}",
            )
            for i in range(310)
        ]
    )
    api = api_key_client(provider.organization, [scope])

    def sent(items) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.post(url, {"items": items}, format="json")
        assert response.status_code == 200, response.json()
        assert not [r for r in response.json()["results"] if r["action"] == "error"], response.json()
        return len(queries)

    sent([item(workers[-1], run)])  # warm up: the key's first use is recorded once
    few = [item(w, run) for w in workers[:3]]
    many = [item(w, run) for w in workers[3:303]]
    assert sent(many) == sent(few)  # creates
    assert sent(many) == sent(few)  # re-sync, unchanged
    assert sent([{**i, **changed} for i in many]) == sent([{**i, **changed} for i in few])  # updates
