import django_filters
from django.db.models import Q
from django.utils import timezone

from outstaff.filters import BaseFilterSet

from .choices import CheckInKind, WorkerStatus
from .models import CheckIn, Worker


class WorkerFilterSet(BaseFilterSet):
    """Shared by the workers page and `GET /api/v1/workers/`."""

    q = django_filters.CharFilter(method="filter_search", label="Search")
    status = django_filters.ChoiceFilter(choices=WorkerStatus.choices)
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    external_id = django_filters.CharFilter()
    client = django_filters.UUIDFilter(field_name="client_id")
    provider = django_filters.UUIDFilter(field_name="provider_id")
    started_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    started_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Worker
        fields = ["status", "country", "external_id", "client", "provider"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(work_email__icontains=value)
            | Q(external_id__iexact=value)
        )


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
