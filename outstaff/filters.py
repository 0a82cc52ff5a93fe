import django_filters


class BaseFilterSet(django_filters.FilterSet):
    """Every list, page or API, can be synced incrementally with `updated_since`."""

    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Updated since (ISO 8601)"
    )
