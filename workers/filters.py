import django_filters
from django.db.models import Q

from outstaff.filters import BaseFilterSet

from .choices import WorkerStatus
from .models import Worker


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
