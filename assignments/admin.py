from django.contrib import admin
from django.db.models import Count
from pghistory.admin import EventModelAdmin

from accounts.actors import Actor
from outstaff.service_admin import ServiceModelAdmin

from . import services
from .models import Assignment, Team


class ForClient(ServiceModelAdmin):
    """Staff act for the client that owns the row (on an add: the client the form names)."""

    actor_fields = ("client",)

    def service_actor(self, request, obj, data):
        return Actor(organization=obj.client if obj is not None else data["client"], user=request.user)


@admin.register(Team)
class TeamAdmin(ForClient):
    create_service = staticmethod(services.team_create)
    update_service = staticmethod(services.team_update)
    create_fields = ("client", "name", "external_id", "managers")
    update_fields = ("name", "external_id", "managers")

    list_display = ["name", "client", "external_id", "manager_count"]
    search_fields = ["name", "external_id", "client__name"]
    list_select_related = ["client"]
    autocomplete_fields = ["client", "managers"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(manager_count=Count("managers", distinct=True))

    @admin.display(description="Managers", ordering="manager_count")
    def manager_count(self, team) -> int:
        return team.manager_count


@admin.register(Assignment)
class AssignmentAdmin(ForClient):
    create_service = staticmethod(services.assignment_create)
    update_service = staticmethod(services.assignment_update)
    create_fields = ("client", "worker", *services.ASSIGNMENT_EDITABLE_FIELDS)
    update_fields = services.ASSIGNMENT_EDITABLE_FIELDS

    list_display = [
        "worker",
        "client",
        "team",
        "role",
        "starts_on",
        "ends_on",
        "weekly_hours",
        "directed_by",
        "schedule_set_by_client",
        "status",
    ]
    list_filter = ["status", "directed_by", "schedule_set_by_client", "equipment_provided_by_client"]
    search_fields = ["worker__first_name", "worker__last_name", "role", "external_id", "team__name"]
    list_select_related = ["worker", "client", "team"]
    autocomplete_fields = ["worker", "client", "team", "manager"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "starts_on"


class AssignmentEventAdmin(EventModelAdmin):
    """Audit history (read-only) of assignments."""

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj", "status", "starts_on", "ends_on", "pgh_context"]
    list_select_related = ["pgh_obj", "pgh_context"]


for event_model in set(Assignment.pgh_event_models.values()):
    admin.site.register(event_model, AssignmentEventAdmin)


class TeamEventAdmin(EventModelAdmin):
    """Audit history (read-only) of teams: names and who manages them (`manager_ids`)."""

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj", "name", "manager_ids", "pgh_context"]
    list_select_related = ["pgh_context"]


for event_model in set(Team.pgh_event_models.values()):
    admin.site.register(event_model, TeamEventAdmin)
