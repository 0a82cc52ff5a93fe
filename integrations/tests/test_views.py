import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.tests.factories import make_actor
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.tests.factories import announce_worker_change
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

URL = "/integrations/"


@pytest.fixture
def admin_client(client, tenants):
    client.force_login(make_actor(tenants["client_a"]).user)
    return client


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.HIRING_MANAGER, Role.VIEWER])
def test_only_admins_see_the_page_and_the_link(client, tenants, role):
    client.force_login(make_actor(tenants["client_a"], role=role).user)
    assert client.get(URL).status_code == 403
    assert 'href="/integrations/"' not in client.get("/workers/").content.decode()


def test_provider_admin_sees_the_page_and_the_link(client, tenants):
    client.force_login(make_actor(tenants["provider_p"]).user)
    response = client.get(URL)
    assert response.status_code == 200 and 'href="/integrations/"' in response.content.decode()


def test_add_shows_the_secret_once(admin_client, tenants):
    response = admin_client.post(
        URL, {"action": "add", "url": "https://hr.example.test/hooks", "event_types": ["worker.changed"]}
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.organization == tenants["client_a"] and endpoint.event_types == ["worker.changed"]
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in admin_client.get(URL).content.decode()


def test_add_with_a_bad_url_shows_the_error(admin_client):
    response = admin_client.post(URL, {"action": "add", "url": "ftp://hr.example.test/"})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_disable_rotate_and_redeliver(admin_client, tenants, endpoint_factory):
    endpoint = endpoint_factory(organization=tenants["client_a"])
    announce_worker_change(tenants["mine"])
    old = endpoint.secret
    response = admin_client.post(URL, {"action": "rotate", "endpoint": endpoint.id})
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.content.decode()

    WebhookDelivery.objects.update(status="failed", next_attempt_at=None)
    delivery = WebhookDelivery.objects.get()
    assert admin_client.post(URL, {"action": "redeliver", "delivery": delivery.id}).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending"

    assert admin_client.post(URL, {"action": "disable", "endpoint": endpoint.id}).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.is_active is False


def test_another_tenants_rows_are_invisible_and_untouchable(admin_client, tenants, endpoint_factory):
    theirs = endpoint_factory(organization=tenants["client_b"], url="https://their-hr.example.test/")
    their_secret = theirs.secret
    announce_worker_change(tenants["theirs"])
    delivery = WebhookDelivery.objects.get()
    body = admin_client.get(URL).content.decode()
    assert "their-hr.example.test" not in body and str(delivery.id) not in body
    assert admin_client.post(URL, {"action": "disable", "endpoint": theirs.id}).status_code == 404
    assert admin_client.post(URL, {"action": "rotate", "endpoint": theirs.id}).status_code == 404
    assert admin_client.post(URL, {"action": "redeliver", "delivery": delivery.id}).status_code == 404
    assert admin_client.post(URL, {"action": "disable", "endpoint": "nope"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active and theirs.secret == their_secret


def test_page_query_count_is_constant(admin_client, tenants, endpoint_factory):
    endpoint_factory(organization=tenants["client_a"])
    announce_worker_change(tenants["mine"])
    admin_client.get(URL)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(URL)
    endpoint_factory.create_batch(4, organization=tenants["client_a"])
    for _ in range(3):
        worker = WorkerFactory(client=tenants["client_a"], provider=tenants["mine"].provider)
        announce_worker_change(worker)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(URL)
    assert response.content.decode().count("Rotate secret") == 5
    assert len(many) == len(few)


def test_send_test_event_reaches_the_receiver_signed(admin_client, tenants, endpoint_factory, receiver):
    """Issue 11: a "send test event" button on a webhook endpoint: one signed `webhook.test` POST to
    that endpoint only, logged in the deliveries, even when it subscribes to other types."""
    from standardwebhooks.webhooks import Webhook

    from integrations import services

    endpoint = endpoint_factory(organization=tenants["client_a"], url=receiver.url, event_types=["worker.changed"])
    other = endpoint_factory(organization=tenants["client_a"], url="https://other.example.test/")
    assert "Send test event" in admin_client.get(URL).content.decode()
    response = admin_client.post(URL, {"action": "test", "endpoint": endpoint.id}, follow=True)
    assert "Test event sent to" in response.content.decode()
    assert not WebhookDelivery.objects.filter(endpoint=other).exists()
    assert services.webhook_deliveries_dispatch() == 1
    [request] = receiver.requests
    payload = Webhook(endpoint.secret).verify(request["body"], request["headers"])
    assert payload["type"] == "webhook.test" and payload["data"]["endpoint_id"] == str(endpoint.id)
    body = admin_client.get(URL).content.decode()
    assert "a test event: nothing changed" in body
    assert WebhookDelivery.objects.get(endpoint=endpoint).status == "delivered"


def test_send_test_event_is_refused_for_a_disabled_or_foreign_endpoint(admin_client, tenants, endpoint_factory):
    disabled = endpoint_factory(organization=tenants["client_a"], is_active=False)
    response = admin_client.post(URL, {"action": "test", "endpoint": disabled.id}, follow=True)
    assert "enable it first" in response.content.decode()
    theirs = endpoint_factory(organization=tenants["client_b"])
    assert admin_client.post(URL, {"action": "test", "endpoint": theirs.id}).status_code == 404
    assert not WebhookDelivery.objects.exists()


def test_deliveries_filter_sort_page_and_export_like_every_list(admin_client, tenants, endpoint_factory):
    import csv
    import io

    from integrations import services

    mine = endpoint_factory(organization=tenants["client_a"], url="https://mine.example.test/")
    theirs = endpoint_factory(organization=tenants["client_b"], url="https://theirs.example.test/")
    actor_a = make_actor(tenants["client_a"])
    for _ in range(3):
        services.webhook_endpoint_send_test(actor=actor_a, endpoint=mine)
    services.webhook_endpoint_send_test(actor=make_actor(tenants["client_b"]), endpoint=theirs)
    WebhookDelivery.objects.filter(endpoint=mine).update(attempts=2)
    first = WebhookDelivery.objects.filter(endpoint=mine).order_by("created_at").first()
    WebhookDelivery.objects.filter(pk=first.pk).update(status="failed", attempts=9)

    failed = admin_client.get(URL, {"status": "failed"}).content.decode()
    assert failed.count("a test event: nothing changed") == 1
    by_attempts = admin_client.get(URL, {"sort": "-attempts"}).content.decode()
    assert by_attempts.index(">9<") < by_attempts.index(">2<")
    response = admin_client.get(URL, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["When", "Event", "About", "Endpoint"]
    assert len(rows) == 4 and all(row[3] == "https://mine.example.test/" for row in rows[1:])
    assert admin_client.get(URL).content.decode().count("format=csv") == 1
