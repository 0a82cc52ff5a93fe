"""Webhooks (DESIGN §8): the outbox written in the change's transaction, signed deliveries with
exponential backoff and a delivery log, endpoint management and redelivery."""

import base64
import datetime as dt
import json
import secrets
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.actors import Actor
from outstaff.model_update import model_update

from . import transport
from .choices import DeliveryStatus, EventType
from .models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint, WebhookEvent

SECRET_PREFIX = "whsec_"  # nosec B105 - the Standard Webhooks secret prefix, not a secret
SECRET_BYTES = 32
# How long a rotated-out secret keeps signing next to the new one.
SECRET_ROTATION_OVERLAP = dt.timedelta(hours=24)
REQUEST_TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 12
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP = dt.timedelta(days=1)
DISPATCH_BATCH = 10
DISPATCH_TIME_BUDGET = 45.0
LOG_BODY_LIMIT = 2000
# Events whose deliveries are all settled are kept this long for the delivery log, then purged.
EVENT_RETENTION = dt.timedelta(days=30)
USER_AGENT = "Outstaff-Webhooks/1.0"
# The delivery log's text for an attempt whose POST is under way, and for one whose dispatcher died
# during it (the receiver may or may not have got it; the webhook-id lets it de-duplicate).
ATTEMPT_IN_FLIGHT = "In flight: the POST is being sent."
ATTEMPT_INTERRUPTED = (
    "Interrupted: the dispatcher stopped during this POST (killed or restarted); the receiver may or may not "
    "have received it. Retried with the same webhook-id."
)


# --- signing ---------------------------------------------------------------------------------


def webhook_secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def webhook_signature(*, secret: str, message_id: str, timestamp: int, body: str) -> str:
    """One Standard Webhooks signature (`v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}`),
    computed by the reference `standardwebhooks` library rather than by our own HMAC code."""
    return Webhook(secret).sign(message_id, dt.datetime.fromtimestamp(timestamp, tz=dt.UTC), body)


def webhook_signature_header(*, signing_secrets: Iterable[str], message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header: one signature per secret in force, space-separated, as the
    spec allows, so a receiver that knows either secret accepts the delivery."""
    return " ".join(
        webhook_signature(secret=secret, message_id=message_id, timestamp=timestamp, body=body)
        for secret in signing_secrets
    )


# --- endpoints -------------------------------------------------------------------------------


def _validate_url(url: str) -> None:
    scheme = urlsplit(url or "").scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationError({"url": "Give an http:// or https:// URL."})
    if scheme != "https" and getattr(settings, "WEBHOOK_REQUIRE_HTTPS", False):
        raise ValidationError({"url": "Webhook URLs must use https:// (the payload is signed, not encrypted)."})
    problem = transport.url_problem(url)
    if problem:
        raise ValidationError({"url": problem})


def _validate_event_types(event_types: Iterable[str]) -> list[str]:
    event_types = sorted(set(event_types or ()))
    unknown = [t for t in event_types if t not in EventType.values]
    if unknown:
        raise ValidationError(
            {"event_types": f"Unknown event types: {', '.join(unknown)}. Known: {', '.join(EventType.values)}."}
        )
    return event_types


def _check_owner(actor: Actor, endpoint: WebhookEndpoint) -> None:
    if endpoint.organization_id != actor.organization.id:
        raise ValidationError("This endpoint belongs to another organization.")


@transaction.atomic
def webhook_endpoint_create(
    *, actor: Actor, url: str, description: str = "", event_types: Iterable[str] = (), is_active: bool = True
) -> WebhookEndpoint:
    """A new endpoint with a fresh secret; the caller shows `endpoint.secret` once."""
    _validate_url(url)
    endpoint = WebhookEndpoint(
        organization=actor.organization,
        url=url,
        description=description,
        event_types=_validate_event_types(event_types),
        is_active=is_active,
        secret=webhook_secret_generate(),
        created_by=actor.user,
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, actor: Actor, instance: WebhookEndpoint, **data) -> WebhookEndpoint:
    _check_owner(actor, instance)
    if "url" in data:
        _validate_url(data["url"])
    if "event_types" in data:
        data["event_types"] = _validate_event_types(data["event_types"])
    instance, _changed = model_update(
        instance=instance, fields=("url", "event_types", "description", "is_active"), data=data
    )
    return instance


@transaction.atomic
def webhook_endpoint_rotate_secret(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret at once. For the next 24 hours deliveries carry two signatures, one with the new
    secret and one with the old, so receivers can switch without dropping events. Rotating again
    within the overlap retires the older secret at once (only the last two are ever in force)."""
    _check_owner(actor, endpoint)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + SECRET_ROTATION_OVERLAP
    endpoint.secret = webhook_secret_generate()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, actor: Actor, instance: WebhookEndpoint) -> None:
    _check_owner(actor, instance)
    instance.delete()


TEST_EVENT_TYPE = "webhook.test"


@transaction.atomic
def webhook_endpoint_send_test(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a `webhook.test` event to this one endpoint, signed and logged like any delivery, so an
    integrator can check their receiver (and its signature check) without changing real data."""
    _check_owner(actor, endpoint)
    if not endpoint.is_active:
        raise ValidationError("This endpoint is disabled: enable it first, then send a test event.")
    now = timezone.now()
    event = WebhookEvent.objects.create(
        organization_id=endpoint.organization_id,
        type=TEST_EVENT_TYPE,
        payload={
            "type": TEST_EVENT_TYPE,
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "data": {
                "endpoint_id": str(endpoint.id),
                "message": "A test event sent from Outstaff. Nothing changed; answer 2xx to mark it delivered.",
                "sent_by": actor.user.email if actor.user else "",
            },
        },
    )
    return WebhookDelivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=now)


# --- delivery --------------------------------------------------------------------------------


def webhook_backoff(attempts: int) -> dt.timedelta:
    """Wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, … capped at a day."""
    return min(dt.timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _post(*, url: str, body: bytes, headers: dict) -> tuple[int | None, str, str]:
    """POST and return (status code, response body, error). Never raises for network trouble. The
    transport resolves the host once, refuses non-public addresses in production and connects to
    the address it checked; it never follows a redirect (a redirect is an answer, not a hop)."""
    return transport.post(url, body=body, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS, read_limit=LOG_BODY_LIMIT)


def webhook_delivery_attempt(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """POST one delivery, signed, and record the attempt: 2xx delivers it; anything else schedules
    a retry with exponential backoff, or fails it after MAX_ATTEMPTS attempts."""
    event, endpoint = delivery.event, delivery.endpoint
    body = json.dumps(event.payload, separators=(",", ":"), sort_keys=True)
    timestamp = int(time.time())
    message_id = str(event.id)  # the same on every retry, so the receiver can de-duplicate
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_signature_header(
            signing_secrets=endpoint.signing_secrets(now=timezone.now()),
            message_id=message_id,
            timestamp=timestamp,
            body=body,
        ),
    }
    # The attempt is logged (and committed) before the POST: a dispatcher killed mid-request still
    # leaves its row, so every POST a receiver got has an attempt in the log (issue 10: one delivery
    # per attempt as logged); the next claim marks the row interrupted.
    with transaction.atomic():
        attempt = WebhookDeliveryAttempt.objects.create(
            delivery=delivery, attempted_at=timezone.now(), error=ATTEMPT_IN_FLIGHT
        )
        delivery.attempts += 1
        delivery.save(update_fields=["attempts", "updated_at"])
    started = time.monotonic()
    status_code, response_body, error = _post(url=endpoint.url, body=body.encode(), headers=headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        attempt.status_code = status_code
        attempt.response_body = response_body[:LOG_BODY_LIMIT]
        attempt.error = error
        attempt.duration_ms = duration_ms
        attempt.save(update_fields=["status_code", "response_body", "error", "duration_ms"])
        delivery.last_status_code = status_code
        delivery.last_error = error or ("" if status_code and 200 <= status_code < 300 else response_body[:500])
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = timezone.now() + webhook_backoff(delivery.attempts)
        delivery.save()
    return delivery


def webhook_deliveries_claim(*, batch_size: int = DISPATCH_BATCH) -> list[WebhookDelivery]:
    """Take up to `batch_size` due deliveries for this dispatcher. Rows another dispatcher holds are
    skipped (SKIP LOCKED), and a claimed row's `next_attempt_at` moves a lease ahead, so the HTTP
    calls happen outside any transaction and two dispatchers never POST the same delivery at once."""
    now = timezone.now()
    with transaction.atomic():
        # order_by("next_attempt_at", "pk"): oldest first, locks taken in a stable order.
        claimed = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:batch_size]
        )
        if claimed:
            # Hidden from other dispatchers for longer than the batch can take (every POST timing
            # out), so two never POST it at once; if this one dies, its claims fall due again.
            lease = dt.timedelta(seconds=REQUEST_TIMEOUT_SECONDS * len(claimed) + 60)
            WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(next_attempt_at=now + lease)
            # An attempt still "in flight" on a claimable delivery belongs to a dispatcher that died
            # during its POST (its lease ran out): say so in the log.
            WebhookDeliveryAttempt.objects.filter(
                delivery_id__in=[d.pk for d in claimed], error=ATTEMPT_IN_FLIGHT
            ).update(error=ATTEMPT_INTERRUPTED)
    if not claimed:
        return []
    return list(
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed])
        .select_related("event", "endpoint")
        .order_by("created_at", "pk")
    )


def webhook_deliveries_dispatch(*, batch_size: int = DISPATCH_BATCH, time_budget: float = DISPATCH_TIME_BUDGET) -> int:
    """Deliver what is due, batch after batch until none is left or `time_budget` seconds have
    passed (the next beat run carries on); returns how many were attempted."""
    started = time.monotonic()
    attempted = 0
    while True:
        deliveries = webhook_deliveries_claim(batch_size=batch_size)
        for delivery in deliveries:
            webhook_delivery_attempt(delivery=delivery)
        attempted += len(deliveries)
        if len(deliveries) < batch_size or time.monotonic() - started > time_budget:
            return attempted


@transaction.atomic
def webhook_delivery_redeliver(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue the delivery again now (a new attempt, logged like any other), whatever its status."""
    if delivery.endpoint.organization_id != actor.organization.id:
        raise ValidationError("This delivery belongs to another organization.")
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at", "updated_at"])
    return delivery


def webhook_events_purge(*, older_than: dt.timedelta = EVENT_RETENTION) -> int:
    """Delete events older than `older_than` with no delivery still pending (their deliveries and
    logs go with them), so the outbox does not grow forever. Returns the number of events deleted."""
    cutoff = timezone.now() - older_than
    stale = WebhookEvent.objects.filter(created_at__lt=cutoff).exclude(deliveries__status=DeliveryStatus.PENDING)
    deleted, per_model = stale.delete()
    return per_model.get(WebhookEvent._meta.label, 0)
