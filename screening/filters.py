import django_filters

from outstaff.filters import BaseFilterSet, SearchFilterSet

from .choices import AssessmentKind, ScreeningStage, ScreeningStatus
from .models import AssessmentResult, Candidate, InterviewScorecard, Screening, ScreeningTemplate


class CandidateFilterSet(SearchFilterSet, BaseFilterSet):
    search_fields = ("first_name__icontains", "last_name__icontains", "email__icontains")
    external_id = django_filters.CharFilter()

    class Meta:
        model = Candidate
        fields = ["external_id"]


class ScreeningFilterSet(SearchFilterSet, BaseFilterSet):
    """Shared by the screening board and `GET /api/v1/screenings/`."""

    search_fields = (
        "candidate__first_name__icontains",
        "candidate__last_name__icontains",
        "candidate__email__icontains",
        "template__role_title__icontains",
    )
    status = django_filters.ChoiceFilter(choices=ScreeningStatus.choices)
    stage = django_filters.ChoiceFilter(choices=ScreeningStage.choices)
    template = django_filters.UUIDFilter(field_name="template_id")
    candidate = django_filters.UUIDFilter(field_name="candidate_id")
    external_id = django_filters.CharFilter()

    class Meta:
        model = Screening
        fields = ["status", "stage", "template", "candidate", "external_id"]


class ScorecardFilterSet(BaseFilterSet):
    screening = django_filters.UUIDFilter(field_name="screening_id")
    interviewer = django_filters.UUIDFilter(field_name="interviewer_id")

    class Meta:
        model = InterviewScorecard
        fields = ["screening", "interviewer"]


class AssessmentFilterSet(BaseFilterSet):
    screening = django_filters.UUIDFilter(field_name="screening_id")
    kind = django_filters.ChoiceFilter(choices=AssessmentKind.choices)
    external_id = django_filters.CharFilter()

    class Meta:
        model = AssessmentResult
        fields = ["screening", "kind", "external_id"]


class ScreeningTemplateFilterSet(SearchFilterSet, BaseFilterSet):
    """The role-templates page: search by name or role, active or retired."""

    search_fields = ("name__icontains", "role_title__icontains")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = ScreeningTemplate
        fields = ["is_active"]
