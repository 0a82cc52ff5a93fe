import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower

from outstaff.models import BaseModel

from .choices import DeliveryStatus


# Where an organization's data is sent is an access change: created, updated, rotated (the new
# `previous_secret_expires_at`) and deleted are audited. The secrets themselves never enter the history.
@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), exclude=["secret", "previous_secret"]
)
class WebhookEndpoint(BaseModel):
    """Where an organization wants its events POSTed. The signing secret (`whsec_<base64>`, the
    Standard Webhooks format) is kept in clear because every delivery is signed with it; it is
    shown to the organization only when created or rotated."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True, default="")
    event_types = ArrayField(
        models.CharField(max_length=64), default=list, blank=True, help_text="Empty: every event type."
    )
    secret = models.CharField(max_length=100)
    # After a rotation the old secret keeps signing, next to the new one, until this moment, so a
    # receiver can roll its configuration over without rejecting a single delivery.
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Until when the secret replaced by the last rotation still signs deliveries."
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("-created_at", "id")
        indexes = [models.Index(fields=["organization", "is_active"])]

    def __str__(self) -> str:
        return self.url

    def signing_secrets(self, *, now) -> list[str]:
        """The secrets every delivery is signed with right now: the current one, and the previous
        one while its 24-hour overlap lasts."""
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(self.previous_secret)
        return secrets

    def wants(self, event_type: str) -> bool:
        return self.is_active and (not self.event_types or event_type in self.event_types)


class WebhookEvent(BaseModel):
    """The outbox: one row per organization told about a change, written in the change's transaction,
    so a rolled-back change leaves no event and a committed one is never lost."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=64, db_index=True)
    payload = models.JSONField()

    class Meta:
        ordering = ("-created_at", "id")
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class WebhookDelivery(BaseModel):
    """One event on its way to one endpoint, with its retry schedule."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "id")
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="%(app_label)s_%(class)s_unique_event_endpoint")
        ]
        indexes = [
            # The dispatcher's scan: due pending deliveries, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="integrations_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"


class WebhookDeliveryAttempt(models.Model):
    """The delivery log: one row per POST, with what the receiver answered."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-attempted_at", "-id")

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S} → {self.status_code or self.error[:40]}"


class ScimIdentity(BaseModel):
    """What SCIM (/scim/v2/Users) knows of a worker beyond the worker itself: the identity provider's
    `userName` and `externalId`, and whether the IdP deleted the user. A SCIM DELETE offboards the
    worker but keeps the row (its history, payroll and compliance stay); from then on the user is
    gone for SCIM (404), as RFC 7644 §3.6 requires. Workers created outside SCIM have no row here
    and show `userName` = their work e-mail."""

    worker = models.OneToOneField("workers.Worker", on_delete=models.CASCADE, related_name="scim_identity")
    # The employer, so that `userName` is unique per provider with one index.
    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="+")
    user_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True, default="")
    deprovisioned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "id")
        verbose_name = "SCIM identity"
        verbose_name_plural = "SCIM identities"
        constraints = [
            models.UniqueConstraint(
                "provider",
                Lower("user_name"),
                condition=models.Q(deprovisioned_at__isnull=True),
                name="%(app_label)s_%(class)s_unique_user_name",
            )
        ]

    def __str__(self) -> str:
        return self.user_name
