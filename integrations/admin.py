from django.contrib import admin
from django.db import models
from pghistory.admin import EventModelAdmin

from .models import ScimIdentity, WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint, WebhookEvent


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "organization", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description", "organization__name")
    list_select_related = ("organization",)
    # The secret never shows in the admin; it changes only by rotation (page or API).
    exclude = ("secret", "previous_secret")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ("organization", "created_by", "created_at", "updated_at")


class WebhookDeliveryAttemptInline(admin.TabularInline):
    model = WebhookDeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("attempted_at", "status_code", "response_body", "error", "duration_ms")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("type", "organization", "created_at")
    list_filter = ("type",)
    search_fields = ("id", "organization__name")
    list_select_related = ("organization",)
    readonly_fields = ("organization", "type", "payload", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at")
    list_filter = ("status",)
    list_select_related = ("event", "endpoint")
    readonly_fields = ("event", "endpoint", "attempts", "last_status_code", "last_error", "delivered_at")
    inlines = [WebhookDeliveryAttemptInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ScimIdentity)
class ScimIdentityAdmin(admin.ModelAdmin):
    """What SCIM knows of a worker (userName, externalId, deprovisioning); changed only through SCIM."""

    list_display = ("user_name", "worker", "external_id", "deprovisioned_at", "updated_at")
    search_fields = ("user_name", "external_id", "worker__last_name")
    list_select_related = ("worker",)
    readonly_fields = ("worker", "provider", "user_name", "external_id", "deprovisioned_at", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WebhookEndpointEventAdmin(EventModelAdmin):
    """Audit history (read-only) of webhook endpoints; the secrets are not in it."""

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj_id", "url", "is_active", "pgh_context"]
    list_select_related = ["pgh_context"]


for event_model in set(WebhookEndpoint.pgh_event_models.values()):
    admin.site.register(event_model, WebhookEndpointEventAdmin)
