"""Deletions are visible (issue 8, point 4): every synced row leaves a tombstone however it is
deleted, a syncing client reads them at /api/v1/deletions/ scoped like the rows, and each deletion
sends a `<resource>.deleted` event written in the deleting transaction."""

import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from assignments.tests.factories import AssignmentFactory, TeamFactory
from integrations import services
from integrations.models import WebhookDelivery, WebhookEvent
from outstaff.models import Tombstone
from outstaff.tombstones import tombstone_record
from providers.models import PayrollEntry
from providers.tests.factories import (
    ComplianceItemFactory,
    EmploymentContractFactory,
    LegalEntityFactory,
    PayrollEntryFactory,
    PayrollRunFactory,
)
from risks.tests.factories import RiskFlagFactory
from screening.tests.factories import AssessmentResultFactory, ScreeningFactory
from workers.models import Worker
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db

DELETIONS = "/api/v1/deletions/"
ALL_READ = ["workers:read", "contracts:read", "assignments:read", "payroll:read", "compliance:read", "risks:read"]


def _rows_of(worker):
    return {
        "contracts": EmploymentContractFactory(worker=worker),
        "assignments": AssignmentFactory(worker=worker),
        "payroll-entries": PayrollEntryFactory(worker=worker),
        "compliance-items": ComplianceItemFactory(worker=worker),
        "check-ins": CheckInFactory(worker=worker),
        "risk-flags": RiskFlagFactory(worker=worker),
    }


def test_deleting_a_worker_leaves_a_tombstone_for_it_and_every_cascaded_row(tenants):
    worker = tenants["mine"]
    Worker.objects.filter(pk=worker.pk).update(external_id="HR-1")
    rows = _rows_of(worker)
    rows["contracts"].external_id = "C-1"
    rows["contracts"].save()
    worker_id, contract_id = worker.id, rows["contracts"].id

    worker.delete()  # what the admin and any cascade do

    tombstones = {t.resource_type: t for t in Tombstone.objects.all()}
    assert set(tombstones) == {"workers", *rows}
    assert tombstones["workers"].object_id == worker_id and tombstones["workers"].external_id == "HR-1"
    assert tombstones["contracts"].object_id == contract_id and tombstones["contracts"].external_id == "C-1"
    parties = {tenants["client_a"].id, tenants["provider_p"].id}
    for tombstone in tombstones.values():
        assert set(tombstone.organization_ids) == parties, tombstone.resource_type
        assert timezone.now() - tombstone.deleted_at < dt.timedelta(minutes=1)


def test_a_raw_sql_delete_and_a_queryset_delete_leave_tombstones_too(tenants):
    entry = PayrollEntryFactory(worker=tenants["mine"], external_id="PE-1")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM providers_payrollentry WHERE id = %s", [entry.id])
    other = WorkerFactory(client=tenants["client_a"], provider=tenants["mine"].provider)
    Worker.objects.filter(pk=other.pk).delete()
    assert set(Tombstone.objects.values_list("resource_type", "object_id", "external_id")) >= {
        ("payroll-entries", entry.id, "PE-1"),
        ("workers", other.pk, ""),
    }


def test_an_admin_delete_leaves_a_tombstone(tenants, admin_client):
    entry = PayrollEntryFactory(worker=tenants["mine"])
    response = admin_client.post(f"/admin/providers/payrollentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not PayrollEntry.objects.filter(pk=entry.pk).exists()
    assert Tombstone.objects.get(object_id=entry.id).resource_type == "payroll-entries"


def test_a_rolled_back_delete_leaves_no_tombstone_and_no_event(tenants, endpoint_factory):
    endpoint_factory(organization=tenants["client_a"])
    with pytest.raises(RuntimeError), transaction.atomic():
        tenants["mine"].delete()
        raise RuntimeError("abort")
    assert not Tombstone.objects.exists() and not WebhookEvent.objects.exists()


def test_the_deletions_feed_is_scoped_like_the_rows(tenants, api_key_client):
    mine, theirs = tenants["mine"], tenants["theirs"]
    mine_id, theirs_id = mine.id, theirs.id
    entry = PayrollEntryFactory(worker=mine)
    entry_id = entry.id
    entry.delete()
    mine.delete()
    theirs.delete()

    def ids(organization, scopes=ALL_READ, **params):
        response = api_key_client(organization, scopes).get(DELETIONS, params)
        assert response.status_code == 200, response.content
        return {(row["resource_type"], row["id"]) for row in response.json()["results"]}

    assert ids(tenants["client_a"]) == {("workers", str(mine_id)), ("payroll-entries", str(entry_id))}
    assert ids(tenants["provider_p"]) == {("workers", str(mine_id)), ("payroll-entries", str(entry_id))}
    # Another tenant never sees them.
    assert ids(tenants["client_b"]) == {("workers", str(theirs_id))}
    assert ids(tenants["provider_q"]) == {("workers", str(theirs_id))}
    # Only the resource families the key may read.
    assert ids(tenants["provider_p"], ["payroll:read"]) == {("payroll-entries", str(entry_id))}
    assert ids(tenants["client_a"], ALL_READ, resource_type="workers") == {("workers", str(mine_id))}
    # A key without any synced read scope is refused, saying why.
    response = api_key_client(tenants["client_a"], ["webhooks:read"]).get(DELETIONS)
    assert response.status_code == 403 and "needs one of assignments:read, " in response.json()["detail"]
    # Writes are not a thing here.
    assert api_key_client(tenants["client_a"], ALL_READ).post(DELETIONS, {}).status_code in (403, 405)


def test_updated_since_returns_only_later_deletions_and_bad_input_is_a_400(tenants, api_key_client):
    old = tombstone_record(
        resource_type="workers", object_id=tenants["mine"].id, organization_ids=[tenants["client_a"].id]
    )
    Tombstone.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - dt.timedelta(days=2))
    entry = PayrollEntryFactory(worker=tenants["mine"])
    entry_id = entry.id
    entry.delete()
    api = api_key_client(tenants["client_a"], ALL_READ)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    rows = api.get(DELETIONS, {"updated_since": since}).json()["results"]
    assert [row["id"] for row in rows] == [str(entry_id)]
    assert set(rows[0]) == {"resource_type", "id", "external_id", "deleted_at"}
    assert api.get(DELETIONS, {"updated_since": "yesterday"}).status_code == 400
    assert api.get(DELETIONS, {"resource_type": "nonsense"}).status_code == 400


def test_the_deletions_list_costs_the_same_queries_for_3_or_30_rows(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ALL_READ)

    def make(n):
        for _ in range(n):
            tombstone_record(
                resource_type="workers", object_id=tenants["mine"].id, organization_ids=[tenants["client_a"].id]
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = api.get(DELETIONS, {"page_size": 100})
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    make(3)
    count()  # the first request of a key also records its use
    small = count()
    make(27)
    large = count()
    assert small[1] == 3 and large[1] == 30
    assert small[0] == large[0]


def test_a_deletion_reaches_a_syncing_client_as_a_tombstone_and_a_signed_event(
    tenants, api_key_client, endpoint_factory, receiver
):
    endpoint = endpoint_factory(organization=tenants["provider_p"], url=receiver.url)
    only_changes = endpoint_factory(organization=tenants["provider_p"], event_types=["worker.changed"])
    other_tenant = endpoint_factory(organization=tenants["provider_q"], url=receiver.url)
    entry = PayrollEntryFactory(worker=tenants["mine"], external_id="PE-9")
    api = api_key_client(tenants["provider_p"], ["payroll:read"])
    since = timezone.now().isoformat()
    entry_id = entry.id

    entry.delete()

    [row] = api.get(DELETIONS, {"updated_since": since}).json()["results"]
    assert row["id"] == str(entry_id) and row["external_id"] == "PE-9"
    # The outbox row was written with the delete, for the subscribed endpoint only.
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.endpoint == endpoint and delivery.endpoint not in (only_changes, other_tenant)
    assert services.webhook_deliveries_dispatch() == 1
    [request] = receiver.requests
    event = Webhook(endpoint.secret).verify(request["body"], request["headers"])
    assert event["type"] == "payroll_entry.deleted"
    data = event["data"]
    assert data["change"] == "deleted" and data["changed_fields"] == []
    assert data["resource_type"] == "payroll-entries" and data["id"] == str(entry_id)
    assert data["object"]["external_id"] == "PE-9"
    assert data["occurred_at"] == event["timestamp"]
    assert json.loads(request["body"]) == event


def test_every_synced_resource_leaves_a_tombstone_with_its_owners(tenants):
    client, provider = tenants["client_a"], tenants["mine"].provider
    assessment = AssessmentResultFactory(screening=ScreeningFactory(client=client, candidate__client=client))
    screening, candidate = assessment.screening, assessment.screening.candidate
    team = TeamFactory(client=client)
    run = PayrollRunFactory(provider=provider)
    entity = LegalEntityFactory(provider=provider)
    expected = {
        ("assessments", assessment.id): {client.id},
        ("screenings", screening.id): {client.id},
        ("candidates", candidate.id): {client.id},
        ("teams", team.id): {client.id},
        ("payroll-runs", run.id): {provider.organization_id},
        ("legal-entities", entity.id): {provider.organization_id},
    }
    candidate.delete()  # cascades to the screening and its assessment
    for row in (team, run, entity):
        row.delete()
    assert {(t.resource_type, t.object_id): set(t.organization_ids) for t in Tombstone.objects.all()} == expected
