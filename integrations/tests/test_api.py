import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assignments.tests.factories import AssignmentFactory
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.tests.factories import announce_worker_change
from outstaff.signals import ResourceChange, send_worker_changed_on_commit
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = "/api/v1/webhook-endpoints/"
DELIVERIES = "/api/v1/webhook-deliveries/"


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


def test_create_returns_the_secret_once_and_never_again(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["webhooks:write"])
    response = api.post(
        ENDPOINTS, {"url": "https://hr.example.test/hooks", "event_types": ["worker.changed"]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and response["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.get(id=body["id"])
    assert endpoint.organization == tenants["client_a"] and endpoint.secret == body["secret"]
    assert "secret" not in api.get(f"{ENDPOINTS}{endpoint.id}/").json()
    assert all("secret" not in row for row in api.get(ENDPOINTS).json()["results"])


def test_update_rotate_and_delete(tenants, api_key_client, endpoint_factory):
    endpoint = endpoint_factory(organization=tenants["client_a"])
    api = api_key_client(tenants["client_a"], ["webhooks:write"])
    response = api.patch(f"{ENDPOINTS}{endpoint.id}/", {"is_active": False, "event_types": []}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False

    old = endpoint.secret
    response = api.post(f"{ENDPOINTS}{endpoint.id}/rotate-secret/")
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert response.json()["secret"] == endpoint.secret != old

    assert api.delete(f"{ENDPOINTS}{endpoint.id}/").status_code == 204
    assert not WebhookEndpoint.objects.filter(id=endpoint.id).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "ftp://hr.example.test/hooks"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://hr.example.test/", "event_types": ["worker.exploded"]}, "event_types"),
        ({}, "url"),
    ],
)
def test_bad_input_is_a_per_field_400(tenants, api_key_client, payload, field):
    api = api_key_client(tenants["client_a"], ["webhooks:write"])
    response = api.post(ENDPOINTS, payload, format="json")
    assert response.status_code == 400, response.content
    assert any(name.startswith(field) for name in _fields(response)), response.json()
    assert WebhookEndpoint.objects.count() == 0


def test_production_requires_https(tenants, api_key_client, settings):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    api = api_key_client(tenants["client_a"], ["webhooks:write"])
    response = api.post(ENDPOINTS, {"url": "http://hr.example.test/hooks"}, format="json")
    assert response.status_code == 400 and "url" in _fields(response)
    assert api.post(ENDPOINTS, {"url": "https://hr.example.test/hooks"}, format="json").status_code == 201


def test_read_scope_cannot_write(tenants, api_key_client, endpoint_factory):
    endpoint = endpoint_factory(organization=tenants["client_a"])
    api = api_key_client(tenants["client_a"], ["webhooks:read"])
    assert api.get(ENDPOINTS).status_code == 200
    assert api.post(ENDPOINTS, {"url": "https://x.example.test/"}, format="json").status_code == 403
    assert api.post(f"{ENDPOINTS}{endpoint.id}/rotate-secret/").status_code == 403
    assert api.delete(f"{ENDPOINTS}{endpoint.id}/").status_code == 403
    announce_worker_change(tenants["mine"])
    delivery = WebhookDelivery.objects.get()
    assert api.post(f"{DELIVERIES}{delivery.id}/redeliver/").status_code == 403


def test_other_scopes_cannot_read_webhooks(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["workers:write"])
    assert api.get(ENDPOINTS).status_code == 403
    assert api.get(DELIVERIES).status_code == 403


def test_another_tenants_endpoint_and_delivery_are_404(tenants, api_key_client, endpoint_factory):
    theirs = endpoint_factory(organization=tenants["client_b"])
    announce_worker_change(tenants["theirs"])
    delivery = WebhookDelivery.objects.get()
    api = api_key_client(tenants["client_a"], ["webhooks:write"])
    assert api.get(ENDPOINTS).json()["results"] == []
    assert api.get(DELIVERIES).json()["results"] == []
    assert api.get(f"{ENDPOINTS}{theirs.id}/").status_code == 404
    assert api.patch(f"{ENDPOINTS}{theirs.id}/", {"is_active": False}, format="json").status_code == 404
    assert api.post(f"{ENDPOINTS}{theirs.id}/rotate-secret/").status_code == 404
    assert api.delete(f"{ENDPOINTS}{theirs.id}/").status_code == 404
    assert api.get(f"{DELIVERIES}{delivery.id}/").status_code == 404
    assert api.post(f"{DELIVERIES}{delivery.id}/redeliver/").status_code == 404
    assert api.get(f"{DELIVERIES}not-a-uuid/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_deliveries_list_filters_and_retrieve_shows_the_log(tenants, api_key_client, endpoint_factory):
    a = endpoint_factory(organization=tenants["client_a"], event_types=["worker.changed"])
    b = endpoint_factory(organization=tenants["client_a"])
    announce_worker_change(tenants["mine"])
    assignment = AssignmentFactory(worker=tenants["mine"])
    send_worker_changed_on_commit(
        worker_id=tenants["mine"].id,
        source="assignments.Assignment",
        changes=[ResourceChange.of(assignment, "created")],
    )
    WebhookDelivery.objects.filter(endpoint=b, event__type="assignment.changed").update(status="failed")
    api = api_key_client(tenants["client_a"], ["webhooks:read"])

    assert len(api.get(DELIVERIES).json()["results"]) == 3
    assert {r["endpoint"] for r in api.get(DELIVERIES, {"endpoint": a.id}).json()["results"]} == {str(a.id)}
    failed = api.get(DELIVERIES, {"status": "failed"}).json()["results"]
    assert [(r["event_type"], r["status"]) for r in failed] == [("assignment.changed", "failed")]
    by_type = api.get(DELIVERIES, {"event_type": "assignment.changed"}).json()["results"]
    assert len(by_type) == 1 and by_type[0]["payload"]["data"]["id"] == str(assignment.id)
    assert api.get(DELIVERIES, {"updated_since": "2999-01-01T00:00:00Z"}).json()["results"] == []
    assert api.get(DELIVERIES, {"status": "bogus"}).status_code == 400

    detail = api.get(f"{DELIVERIES}{failed[0]['id']}/").json()
    assert detail["attempt_log"] == []


def test_redeliver_queues_the_delivery_again(tenants, api_key_client, endpoint_factory):
    endpoint_factory(organization=tenants["client_a"])
    announce_worker_change(tenants["mine"])
    WebhookDelivery.objects.update(status="failed", next_attempt_at=None, attempts=12)
    delivery = WebhookDelivery.objects.get()
    api = api_key_client(tenants["client_a"], ["webhooks:write"])
    response = api.post(f"{DELIVERIES}{delivery.id}/redeliver/")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None


def test_list_query_counts_do_not_grow_with_rows(tenants, api_key_client, endpoint_factory):
    api = api_key_client(tenants["client_a"], ["webhooks:read"])
    endpoint_factory(organization=tenants["client_a"])
    announce_worker_change(tenants["mine"])
    for url in (ENDPOINTS, DELIVERIES):
        api.get(url)
    with CaptureQueriesContext(connection) as few:
        api.get(ENDPOINTS)
        api.get(DELIVERIES)
    endpoint_factory.create_batch(5, organization=tenants["client_a"])
    for _ in range(4):
        worker = WorkerFactory(client=tenants["client_a"], provider=tenants["mine"].provider)
        announce_worker_change(worker)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(ENDPOINTS).json()["results"]) == 6
        assert len(api.get(DELIVERIES).json()["results"]) == 1 + 4 * 6
    assert len(many) == len(few)
