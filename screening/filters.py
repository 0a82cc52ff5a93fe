import django_filters
from django.db.models import Q

from outstaff.filters import BaseFilterSet

from .choices import AssessmentKind, ScreeningStage, ScreeningStatus
from .models import AssessmentResult, Candidate, InterviewScorecard, Screening


class CandidateFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Search")
    external_id = django_filters.CharFilter()

    class Meta:
        model = Candidate
        fields = ["external_id"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(first_name__icontains=value) | Q(last_name__icontains=value) | Q(email__icontains=value)
        )


class ScreeningFilterSet(BaseFilterSet):
    """Shared by the screening board and `GET /api/v1/screenings/`."""

    q = django_filters.CharFilter(method="filter_search", label="Search")
    status = django_filters.ChoiceFilter(choices=ScreeningStatus.choices)
    stage = django_filters.ChoiceFilter(choices=ScreeningStage.choices)
    template = django_filters.UUIDFilter(field_name="template_id")
    candidate = django_filters.UUIDFilter(field_name="candidate_id")
    external_id = django_filters.CharFilter()

    class Meta:
        model = Screening
        fields = ["status", "stage", "template", "candidate", "external_id"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(candidate__first_name__icontains=value)
            | Q(candidate__last_name__icontains=value)
            | Q(candidate__email__icontains=value)
            | Q(template__role_title__icontains=value)
        )


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
