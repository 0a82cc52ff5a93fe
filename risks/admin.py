from django.contrib import admin
from pghistory.admin import EventModelAdmin

from .models import PendingRescan, RiskFlag, RiskScanRun


@admin.register(RiskFlag)
class RiskFlagAdmin(admin.ModelAdmin):
    """Inspection only for the evidence and the scan's timestamps; transitions go through services."""

    list_display = ["rule_code", "worker", "client", "category", "severity", "status", "first_seen_at", "last_seen_at"]
    list_filter = ["category", "severity", "status"]
    search_fields = ["rule_code", "worker__first_name", "worker__last_name", "worker__external_id", "client__name"]
    list_select_related = ["worker", "client"]
    autocomplete_fields = ["worker", "client", "assignment", "status_changed_by"]
    raw_id_fields = ["provider"]
    readonly_fields = ["evidence", "evidence_hash", "first_seen_at", "last_seen_at", "created_at", "updated_at"]
    date_hierarchy = "last_seen_at"

    # Flags are opened and resolved by scans and move through risk_flag_* services (reason, audit,
    # risk_flag.* events): the admin only shows them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RiskFlagEventAdmin(EventModelAdmin):
    """Audit history (read-only) of risk-flag transitions."""

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj", "status", "severity", "pgh_context"]
    list_select_related = ["pgh_obj", "pgh_context"]


for event_model in set(RiskFlag.pgh_event_models.values()):
    admin.site.register(event_model, RiskFlagEventAdmin)


@admin.register(RiskScanRun)
class RiskScanRunAdmin(admin.ModelAdmin):
    """Finished full scans, read-only."""

    list_display = ["finished_at", "scope", "as_of", "workers", "opened", "still_open", "resolved", "escalated"]
    date_hierarchy = "finished_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PendingRescan)
class PendingRescanAdmin(admin.ModelAdmin):
    """Read-only view of the rescan outbox: workers whose re-evaluation is owed (beat drains it)."""

    list_display = ["worker_id", "source", "requested_at", "enqueued_at"]
    ordering = ["requested_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
