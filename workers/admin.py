from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from pghistory.admin import EventModelAdmin

from accounts.actors import Actor

from .models import CheckIn, Worker
from .services import worker_activate


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
    # Status too: activation must pass the onboarding gate, so it is an action calling the service.
    readonly_fields = [
        "status",
        "gate_override_reason",
        "gate_override_by",
        "gate_override_at",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "start_date"
    inlines = [CheckInInline]
    actions = ["activate_selected"]

    @admin.action(description="Activate selected onboarding workers (needs a passed screening)")
    def activate_selected(self, request, queryset):
        activated, refused = 0, []
        for worker in queryset.select_related("client"):
            # Staff act on behalf of the worker's client; without a role they can never override the gate.
            actor = Actor(organization=worker.client, user=request.user)
            try:
                worker_activate(actor=actor, worker=worker)
            except ValidationError as error:
                refused.append(f"{worker}: {' '.join(error.messages)}")
            else:
                activated += 1
        if activated:
            self.message_user(request, f"Activated {activated} worker(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)


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


class CheckInEventAdmin(EventModelAdmin):
    list_display = ["pgh_created_at", "pgh_label", "pgh_obj", "done_on", "pgh_context"]
    list_select_related = ["pgh_obj", "pgh_context"]


admin.site.register(CheckIn.pgh_event_model, CheckInEventAdmin)
