from django.contrib import admin
from pghistory.admin import EventModelAdmin

from .models import CheckIn, Worker


class CheckInInline(admin.TabularInline):
    model = CheckIn
    extra = 0
    fields = ["kind", "due_on", "done_on", "manager", "engagement", "role_clarity", "manager_relationship"]
    autocomplete_fields = ["manager"]


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "work_email", "client", "provider", "country", "status", "start_date", "exit_date"]
    list_filter = ["status", "country", "exit_reason"]
    search_fields = ["first_name", "last_name", "work_email", "external_id"]
    list_select_related = ["client", "provider"]
    autocomplete_fields = ["client"]
    raw_id_fields = ["provider", "gate_override_by"]
    # The gate override and the lifecycle go through services (reason, audit, risk flag).
    readonly_fields = ["gate_override_reason", "gate_override_by", "gate_override_at", "created_at", "updated_at"]
    date_hierarchy = "start_date"
    inlines = [CheckInInline]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["worker", "kind", "due_on", "done_on", "manager", "engagement", "role_clarity"]
    list_filter = ["kind"]
    search_fields = ["worker__first_name", "worker__last_name", "worker__external_id"]
    list_select_related = ["worker", "manager"]
    autocomplete_fields = ["worker", "manager"]
    date_hierarchy = "due_on"


class WorkerEventAdmin(EventModelAdmin):
    """Audit history (read-only): who changed a worker, when, through which request or key."""

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj", "status", "pgh_context"]
    list_select_related = ["pgh_obj", "pgh_context"]


for event_model in set(Worker.pgh_event_models.values()):
    admin.site.register(event_model, WorkerEventAdmin)
