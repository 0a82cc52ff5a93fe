import django_filters
from django.db.models import Q

from outstaff.filters import BaseFilterSet

from .choices import AssignmentStatus, DirectedBy
from .models import Assignment, Team
from .selectors import active_on_q


class TeamFilterSet(BaseFilterSet):
    """Shared by the teams page and `GET /api/v1/teams/`."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    external_id = django_filters.CharFilter()
    manager = django_filters.UUIDFilter(method="filter_manager", label="Managed by (user id)")

    class Meta:
        model = Team
        fields = ["external_id"]

    def filter_manager(self, queryset, name, value):
        return queryset.filter(id__in=Team.objects.filter(managers__id=value).values("id"))


class AssignmentFilterSet(BaseFilterSet):
    """Shared by the team page and `GET /api/v1/assignments/`."""

    q = django_filters.CharFilter(method="filter_search", label="Search")
    status = django_filters.ChoiceFilter(choices=AssignmentStatus.choices)
    worker = django_filters.UUIDFilter(field_name="worker_id")
    team = django_filters.UUIDFilter(field_name="team_id")
    client = django_filters.UUIDFilter(field_name="client_id")
    manager = django_filters.UUIDFilter(field_name="manager_id")
    external_id = django_filters.CharFilter()
    directed_by = django_filters.ChoiceFilter(choices=DirectedBy.choices)
    active_on = django_filters.DateFilter(method="filter_active_on", label="In force on (date)")
    starts_after = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte")

    class Meta:
        model = Assignment
        fields = ["status", "worker", "team", "client", "manager", "external_id", "directed_by"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(active_on_q(value))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(worker__first_name__icontains=value)
            | Q(worker__last_name__icontains=value)
            | Q(role__icontains=value)
            | Q(external_id__iexact=value)
        )
