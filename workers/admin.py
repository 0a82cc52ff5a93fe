from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from pghistory.admin import EventModelAdmin

from accounts.actors import Actor
from outstaff.service_admin import ReadOnlyInline, ServiceModelAdmin

from . import services
from .models import CheckIn, Worker
from .services import worker_activate


class CheckInInline(ReadOnlyInline, admin.TabularInline):
    model = CheckIn
    fields = ["kind", "due_on", "done_on", "manager", "engagement", "role_clarity", "manager_relationship"]
    autocomplete_fields = ["manager"]


@admin.register(Worker)
class WorkerAdmin(ServiceModelAdmin):
    """Add and change forms write through worker_create / worker_update (acting for the provider on
    an add, for the worker's client on a change); the lifecycle moves through the actions."""

    create_service = staticmethod(services.worker_create)
    update_service = staticmethod(services.worker_update)
    create_fields = ("provider", "client", *services.EDITABLE_FIELDS)
    update_fields = services.EDITABLE_FIELDS

    def service_actor(self, request, obj, data):
        organization = obj.client if obj is not None else data["provider"].organization
        return Actor(organization=organization, user=request.user)

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
class CheckInAdmin(ServiceModelAdmin):
    """An add is an ad-hoc check-in (check_in_create); a change records it (check_in_record, with
    all three ratings). Staff act for the worker's client without becoming the check-in's manager."""

    create_service = staticmethod(services.check_in_create)
    update_service = staticmethod(services.check_in_record)
    create_fields = ("worker", "due_on", "notes")
    update_fields = ("done_on", "engagement", "role_clarity", "manager_relationship", "notes")
    update_sends_all_fields = True

    def service_actor(self, request, obj, data):
        worker = obj.worker if obj is not None else data["worker"]
        return Actor(organization=worker.client)

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
