import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accounts.tests.factories import make_actor
from assignments.tests.factories import AssignmentFactory
from integrations import services
from integrations.choices import DeliveryStatus
from integrations.models import WebhookDelivery, WebhookEvent
from integrations.tests.factories import announce_worker_change
from outstaff.signals import ResourceChange, send_worker_changed_on_commit
from workers.models import CheckIn

pytestmark = pytest.mark.django_db


def _independent_signature(secret: str, message_id: str, timestamp: str, body: str) -> str:
    key = base64.b64decode(secret.split("_", 1)[1])
    mac = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def test_secret_is_whsec_base64_of_at_least_24_bytes():
    secret = services.webhook_secret_generate()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    assert secret != services.webhook_secret_generate()


def test_signature_matches_an_independent_hmac():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"type":"worker.changed"}'
    expected = _independent_signature(secret, "msg_1", "1674087231", body)
    assert services.webhook_signature(secret=secret, message_id="msg_1", timestamp=1674087231, body=body) == expected
    assert services.webhook_signature(secret=secret, message_id="msg_2", timestamp=1674087231, body=body) != expected


def test_a_real_receiver_gets_a_signed_post(tenants, endpoint_factory, receiver):
    endpoint = endpoint_factory(organization=tenants["client_a"], url=receiver.url)
    announce_worker_change(tenants["mine"])
    assert services.webhook_deliveries_dispatch() == 1

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    event = WebhookEvent.objects.get()
    assert headers["webhook-id"] == str(event.id)
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert headers["webhook-signature"] == _independent_signature(
        endpoint.secret, headers["webhook-id"], headers["webhook-timestamp"], body
    )
    assert headers["content-type"] == "application/json"
    data = json.loads(body)["data"]
    assert (data["resource_type"], data["id"], data["change"]) == ("workers", str(tenants["mine"].id), "updated")
    assert data["object"]["id"] == str(tenants["mine"].id)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.delivered_at is not None
    attempt = delivery.attempt_log.get()
    assert attempt.status_code == 200 and '"ok": true' in attempt.response_body
    # Delivered: the next dispatch has nothing to do.
    assert services.webhook_deliveries_dispatch() == 0


def test_a_500_schedules_a_retry_with_exponential_backoff(tenants, endpoint_factory, receiver):
    receiver.status = 500
    endpoint_factory(organization=tenants["client_a"], url=receiver.url)
    announce_worker_change(tenants["mine"])
    before = timezone.now()
    services.webhook_deliveries_dispatch()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_status_code == 500 and '"ok": false' in delivery.last_error
    assert dt.timedelta(seconds=29) < delivery.next_attempt_at - before < dt.timedelta(seconds=60)
    # Not due yet: a dispatch now sends nothing.
    assert services.webhook_deliveries_dispatch() == 0
    assert len(receiver.requests) == 1

    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    before = timezone.now()
    services.webhook_deliveries_dispatch()
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.attempt_log.count() == 2
    assert dt.timedelta(seconds=59) < delivery.next_attempt_at - before < dt.timedelta(seconds=90)


def test_backoff_doubles_and_is_capped_at_a_day():
    assert services.webhook_backoff(1) == dt.timedelta(seconds=30)
    assert services.webhook_backoff(4) == dt.timedelta(seconds=240)
    assert services.webhook_backoff(30) == dt.timedelta(days=1)


def test_an_unreachable_endpoint_records_the_error(tenants, endpoint_factory, receiver):
    url = receiver.url
    receiver.close()  # nothing listens there any more
    endpoint_factory(organization=tenants["client_a"], url=url)
    announce_worker_change(tenants["mine"])
    services.webhook_deliveries_dispatch()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code is None
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error


def test_max_attempts_fails_the_delivery_and_redeliver_tries_again(tenants, endpoint_factory, receiver):
    receiver.status = 503
    endpoint = endpoint_factory(organization=tenants["client_a"], url=receiver.url)
    announce_worker_change(tenants["mine"])
    WebhookDelivery.objects.update(attempts=services.MAX_ATTEMPTS - 1)
    services.webhook_deliveries_dispatch()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert services.webhook_deliveries_dispatch() == 0

    receiver.status = 204
    actor = make_actor(endpoint.organization)
    services.webhook_delivery_redeliver(actor=actor, delivery=delivery)
    assert services.webhook_deliveries_dispatch() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_status_code == 204
    assert [a.status_code for a in delivery.attempt_log.all()] == [204, 503]


def test_redeliver_refuses_another_organizations_delivery(tenants, endpoint_factory):
    from django.core.exceptions import ValidationError

    endpoint_factory(organization=tenants["client_a"])
    announce_worker_change(tenants["mine"])
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(ValidationError):
        services.webhook_delivery_redeliver(actor=make_actor(tenants["client_b"]), delivery=delivery)


def test_a_claimed_delivery_is_not_claimed_twice(tenants, endpoint_factory):
    endpoint_factory(organization=tenants["client_a"])
    announce_worker_change(tenants["mine"])
    assert len(services.webhook_deliveries_claim()) == 1
    # Leased: another dispatcher sees nothing due until the lease ends.
    assert services.webhook_deliveries_claim() == []


def test_the_task_dispatches(tenants, endpoint_factory, receiver):
    from integrations.tasks import webhook_deliveries_dispatch_task

    endpoint_factory(organization=tenants["client_a"], url=receiver.url)
    announce_worker_change(tenants["mine"])
    assert webhook_deliveries_dispatch_task.apply().get() == 1
    assert len(receiver.requests) == 1


def test_production_refuses_to_post_to_private_addresses(tenants, endpoint_factory, receiver, settings):
    settings.WEBHOOK_BLOCK_PRIVATE_ADDRESSES = True
    endpoint_factory(organization=tenants["client_a"], url=receiver.url)
    announce_worker_change(tenants["mine"])
    services.webhook_deliveries_dispatch()
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.PENDING and "non-public address" in delivery.last_error


def test_a_redirect_is_not_followed(tenants, endpoint_factory, receiver):
    receiver.status = 302
    endpoint_factory(organization=tenants["client_a"], url=receiver.url)
    announce_worker_change(tenants["mine"])
    services.webhook_deliveries_dispatch()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 302
    assert len(receiver.requests) == 1


def test_purge_drops_old_settled_events_and_keeps_pending_and_recent_ones(tenants, endpoint_factory):
    from integrations.tasks import webhook_events_purge_task

    endpoint_factory(organization=tenants["client_a"])
    rows = [
        tenants["mine"],
        AssignmentFactory(worker=tenants["mine"]),
        CheckIn.objects.create(worker=tenants["mine"], kind="ad_hoc", due_on=dt.date(2026, 3, 1)),
    ]
    for row in rows:
        send_worker_changed_on_commit(
            worker_id=tenants["mine"].id, source=row._meta.label, changes=[ResourceChange.of(row, "updated")]
        )
    old = timezone.now() - dt.timedelta(days=31)
    WebhookEvent.objects.filter(type__in=["worker.changed", "assignment.changed"]).update(created_at=old)
    WebhookDelivery.objects.filter(event__type="worker.changed").update(status="delivered")
    assert webhook_events_purge_task.apply().get() == 1
    assert sorted(WebhookEvent.objects.values_list("type", flat=True)) == ["assignment.changed", "check_in.changed"]
    assert WebhookDelivery.objects.count() == 2


def test_dispatch_drains_a_backlog_larger_than_a_batch(tenants, endpoint_factory, receiver):
    endpoint_factory.create_batch(3, organization=tenants["client_a"], url=receiver.url)
    announce_worker_change(tenants["mine"])
    assert services.webhook_deliveries_dispatch(batch_size=2) == 3
    assert len(receiver.requests) == 3
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


def _deliver_once(tenants, receiver) -> tuple[dict, str]:
    announce_worker_change(tenants["mine"])
    services.webhook_deliveries_dispatch()
    request = receiver.requests[-1]
    return request["headers"], request["body"]


def test_a_rotated_secret_keeps_signing_next_to_the_new_one_for_24_hours(tenants, endpoint_factory, receiver):
    endpoint = endpoint_factory(organization=tenants["client_a"], url=receiver.url)
    old_secret = endpoint.secret
    actor = make_actor(organization=tenants["client_a"], role="client_admin")
    endpoint = services.webhook_endpoint_rotate_secret(actor=actor, endpoint=endpoint)
    assert endpoint.secret != old_secret
    overlap = endpoint.previous_secret_expires_at - timezone.now()
    assert dt.timedelta(hours=23, minutes=59) < overlap <= dt.timedelta(hours=24)

    headers, body = _deliver_once(tenants, receiver)
    assert len(headers["webhook-signature"].split(" ")) == 2
    # The reference library accepts the delivery with either secret: receivers can roll over.
    for secret in (old_secret, endpoint.secret):
        assert Webhook(secret).verify(body, headers)["type"] == "worker.changed"

    # Once the overlap is over only the new secret signs.
    type(endpoint).objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now())
    headers, body = _deliver_once(tenants, receiver)
    assert len(headers["webhook-signature"].split(" ")) == 1
    assert Webhook(endpoint.secret).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(body, headers)


def test_rotating_twice_retires_the_oldest_secret_at_once(tenants, endpoint_factory, receiver):
    endpoint = endpoint_factory(organization=tenants["client_a"], url=receiver.url)
    first = endpoint.secret
    actor = make_actor(organization=tenants["client_a"], role="client_admin")
    second = services.webhook_endpoint_rotate_secret(actor=actor, endpoint=endpoint).secret
    third = services.webhook_endpoint_rotate_secret(actor=actor, endpoint=endpoint).secret
    headers, body = _deliver_once(tenants, receiver)
    assert Webhook(second).verify(body, headers) and Webhook(third).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(first).verify(body, headers)
