import django_filters

from outstaff.filters import BaseFilterSet, SearchFilterSet
from workers.selectors import in_first_90_days_q

from .choices import AssignmentStatus, DirectedBy
from .models import Assignment, Team
from .selectors import active_on_q


class TeamFilterSet(SearchFilterSet, BaseFilterSet):
    """Shared by the teams page and `GET /api/v1/teams/`."""

    search_fields = ("name__icontains",)
    external_id = django_filters.CharFilter()
    manager = django_filters.UUIDFilter(method="filter_manager", label="Managed by (user id)")

    class Meta:
        model = Team
        fields = ["external_id"]

    def filter_manager(self, queryset, name, value):
        return queryset.filter(id__in=Team.objects.filter(managers__id=value).values("id"))


class AssignmentFilterSet(SearchFilterSet, BaseFilterSet):
    """Shared by the team page and `GET /api/v1/assignments/`."""

    search_fields = (
        "worker__first_name__icontains",
        "worker__last_name__icontains",
        "role__icontains",
        "external_id__iexact",
    )
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
    worker_in_first_90_days = django_filters.BooleanFilter(
        method="filter_worker_in_first_90_days",
        label="Worker in the first 90 days",
        help_text="true: the worker started within the last 90 days (most early leavers go then); false: the rest.",
    )

    class Meta:
        model = Assignment
        fields = ["status", "worker", "team", "client", "manager", "external_id", "directed_by"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(active_on_q(value))

    def filter_worker_in_first_90_days(self, queryset, name, value):
        inside = in_first_90_days_q(prefix="worker__")
        return queryset.filter(inside) if value else queryset.exclude(inside)
