from django.contrib import admin

from .models import IdempotencyRecord


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
