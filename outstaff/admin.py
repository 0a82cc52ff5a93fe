from django.contrib import admin

from .models import IdempotencyRecord, Tombstone


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """Stored responses of POSTs sent with an Idempotency-Key (read-only: they are replayed as is)."""

    list_display = ["key", "owner", "path", "response_status", "created_at"]
    search_fields = ["key", "owner", "path"]
    readonly_fields = ["owner", "key", "path", "request_hash", "response_status", "response_body", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    """What is left of deleted synced rows (written by database triggers; read-only)."""

    list_display = ["resource_type", "object_id", "external_id", "deleted_at"]
    list_filter = ["resource_type"]
    search_fields = ["object_id", "external_id"]
    readonly_fields = ["resource_type", "object_id", "external_id", "organization_ids", "deleted_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
