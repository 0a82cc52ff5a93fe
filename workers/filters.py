import django_filters
from django.utils import timezone

from outstaff.filters import BaseFilterSet, SearchFilterSet

from .choices import CheckInKind, WorkerStatus
from .models import CheckIn, Worker
from .selectors import in_first_90_days_q

# The window in which most early leavers go (DESIGN §1): the dashboard counts it, this filter lists it.


class WorkerFilterSet(SearchFilterSet, BaseFilterSet):
    """Shared by the workers page and `GET /api/v1/workers/`."""

    search_fields = ("first_name__icontains", "last_name__icontains", "work_email__icontains", "external_id__iexact")
    status = django_filters.ChoiceFilter(choices=WorkerStatus.choices)
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    external_id = django_filters.CharFilter()
    client = django_filters.UUIDFilter(field_name="client_id")
    provider = django_filters.UUIDFilter(field_name="provider_id")
    started_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    started_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")
    in_first_90_days = django_filters.BooleanFilter(
        method="filter_in_first_90_days",
        label="In the first 90 days",
        help_text="true: started within the last 90 days (most early leavers go then); false: everyone else.",
    )

    class Meta:
        model = Worker
        fields = ["status", "country", "external_id", "client", "provider"]

    def filter_in_first_90_days(self, queryset, name, value):
        inside = in_first_90_days_q()
        return queryset.filter(inside) if value else queryset.exclude(inside)


class CheckInFilterSet(BaseFilterSet):
    """Shared by the check-ins page and `GET /api/v1/check-ins/`."""

    STATE_CHOICES = (("overdue", "Overdue"), ("due", "Not done yet"), ("done", "Done"))

    worker = django_filters.UUIDFilter(field_name="worker_id")
    kind = django_filters.ChoiceFilter(choices=CheckInKind.choices)
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES, method="filter_state", label="State")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")

    class Meta:
        model = CheckIn
        fields = ["worker", "kind"]

    def filter_state(self, queryset, name, value):
        if value == "done":
            return queryset.filter(done_on__isnull=False)
        queryset = queryset.filter(done_on__isnull=True).exclude(worker__status=WorkerStatus.OFFBOARDED)
        if value == "overdue":
            return queryset.filter(due_on__lt=timezone.localdate())
        return queryset
