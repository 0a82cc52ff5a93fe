import django_filters

from outstaff.filters import BaseFilterSet

from ..models import ApiKey


class ApiKeyFilterSet(BaseFilterSet):
    active = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", label="Not revoked")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = ApiKey
        fields = ["active", "name"]
