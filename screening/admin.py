from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from pghistory.admin import EventModelAdmin

from accounts.actors import Actor
from outstaff.service_admin import ServiceModelAdmin

from . import services
from .models import AssessmentResult, Candidate, ChecklistItem, InterviewScorecard, Screening, ScreeningTemplate
from .services import screening_template_validate
from .services.screenings import CANDIDATE_FIELDS


class ForClient(ServiceModelAdmin):
    """Staff act for the client that owns the row (on an add: the client the form names)."""

    actor_fields = ("client",)

    def service_actor(self, request, obj, data):
        return Actor(organization=obj.client if obj is not None else data["client"], user=request.user)


@admin.register(Candidate)
class CandidateAdmin(ForClient):
    """Add and change forms write through candidate_create / candidate_update."""

    create_service = staticmethod(services.candidate_create)
    update_service = staticmethod(services.candidate_update)
    create_fields = ("client", *CANDIDATE_FIELDS)
    update_fields = CANDIDATE_FIELDS
    list_display = ["__str__", "email", "client", "country", "worker"]
    list_filter = ["country"]
    search_fields = ["first_name", "last_name", "email", "external_id"]
    list_select_related = ["client", "worker"]
    autocomplete_fields = ["client"]
    # A candidate is linked to its worker only by the hire (screening_hire): the link is what lets a
    # passed screening open the onboarding gate for that worker.
    readonly_fields = ["worker"]


class ScreeningTemplateForm(forms.ModelForm):
    """The service's template rules: a bad weight or kit would break every page computing a composite."""

    class Meta:
        model = ScreeningTemplate
        fields = ["client", "name", "role_title", "methods", "pass_threshold", "min_cefr", "interview_kit", "is_active"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                screening_template_validate(
                    methods=data.get("methods"),
                    min_cefr=data.get("min_cefr") or {},
                    interview_kit=data.get("interview_kit") or [],
                    pass_threshold=data.get("pass_threshold"),
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(ScreeningTemplate)
class ScreeningTemplateAdmin(admin.ModelAdmin):
    form = ScreeningTemplateForm
    list_display = ["name", "role_title", "client", "pass_threshold", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "role_title", "client__name"]
    list_select_related = ["client"]
    autocomplete_fields = ["client"]


class ReadOnlyAdminMixin:
    """Results and checklist items change only through the services, which normalize scores, refresh
    the stored composite and record who checked an item; the admin shows them. Deleting stays possible
    (an operator erasing a candidate's data deletes the screening and everything under it)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AssessmentResultInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AssessmentResult
    extra = 0
    fields = ["kind", "instrument", "raw_score", "normalized_score", "taken_on"]


class ChecklistItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["code", "checked", "checked_by", "checked_at", "note"]


@admin.register(Screening)
class ScreeningAdmin(ForClient):
    """A change form writes through screening_update (its external id: the stage, provider and
    decision move through their own services)."""

    update_service = staticmethod(services.screening_update)
    update_fields = ("external_id",)

    list_display = ["candidate", "template", "client", "stage", "status", "composite_score", "decided_at"]
    list_filter = ["status", "stage"]
    search_fields = ["candidate__first_name", "candidate__last_name", "candidate__email", "external_id"]
    list_select_related = ["candidate", "template", "client"]
    # Decisions and overrides go through services (audited, and an override raises a risk flag).
    readonly_fields = [
        "status",
        "composite_score",
        "expected_validity",
        "checklist_override_reason",
        "decided_by",
        "decided_at",
        "override_reason",
        "created_at",
        "updated_at",
    ]
    inlines = [AssessmentResultInline, ChecklistItemInline]

    def has_add_permission(self, request):
        # screening_create also creates the pre-onboarding checklist that blocks an unchecked hire.
        return False

    # Everything but the external id is read-only (ServiceModelAdmin): a decided screening moved to
    # another candidate would open the gate for that candidate's worker, and the stage, the provider
    # (the hired worker's employer) and the decision notes move through services.


@admin.register(InterviewScorecard)
class InterviewScorecardAdmin(admin.ModelAdmin):
    list_display = ["screening", "interviewer", "recommendation", "version", "submitted_at"]
    list_filter = ["recommendation"]
    search_fields = ["interviewer__email", "screening__candidate__last_name"]
    list_select_related = ["screening__candidate", "screening__template", "interviewer"]
    autocomplete_fields = ["screening", "interviewer"]
    raw_id_fields = ["supersedes"]
    # Scorecards are immutable once submitted and blind until then: the admin only reads them.
    readonly_fields = [
        "screening",
        "interviewer",
        "ratings",
        "recommendation",
        "notes",
        "submitted_at",
        "version",
        "supersedes",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(AssessmentResult)
class AssessmentResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["screening", "kind", "instrument", "raw_score", "normalized_score", "taken_on"]
    list_filter = ["kind"]
    search_fields = ["instrument", "screening__candidate__last_name", "external_id"]
    list_select_related = ["screening__candidate", "screening__template"]
    autocomplete_fields = ["screening"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["screening", "code", "checked", "checked_by", "checked_at"]
    list_filter = ["code", "checked"]
    search_fields = ["screening__candidate__last_name"]
    list_select_related = ["screening__candidate", "screening__template", "checked_by"]
    autocomplete_fields = ["screening"]
    readonly_fields = ["checked_by", "checked_at"]


class ScreeningEventAdmin(EventModelAdmin):
    """Audit history (read-only) of screening decisions."""

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj", "status", "pgh_context"]
    list_select_related = ["pgh_obj", "pgh_context"]


class ChecklistItemEventAdmin(EventModelAdmin):
    list_display = ["pgh_created_at", "pgh_label", "pgh_obj", "checked", "pgh_context"]
    list_select_related = ["pgh_obj", "pgh_context"]


for event_model in set(Screening.pgh_event_models.values()):
    admin.site.register(event_model, ScreeningEventAdmin)
for event_model in set(ChecklistItem.pgh_event_models.values()):
    admin.site.register(event_model, ChecklistItemEventAdmin)


class CandidateEventAdmin(EventModelAdmin):
    list_display = ["pgh_created_at", "pgh_label", "pgh_obj", "worker", "pgh_context"]
    list_select_related = ["pgh_obj", "pgh_context"]


admin.site.register(Candidate.pgh_event_model, CandidateEventAdmin)


class GateInputEventAdmin(EventModelAdmin):
    """Audit history (read-only) of the screening gate's rule and inputs: templates, scorecards and
    assessment results. By id, so the versions of a deleted row still list."""

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj_id", "pgh_context"]
    list_select_related = ["pgh_context"]


for tracked in (ScreeningTemplate, InterviewScorecard, AssessmentResult):
    admin.site.register(tracked.pgh_event_model, GateInputEventAdmin)
