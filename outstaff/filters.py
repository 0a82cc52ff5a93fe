import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django_filters.fields import IsoDateTimeField

# PostgreSQL keeps UTC offsets within ±15:59 ("time zone displacement out of range" beyond), while
# Python parses up to ±23:59; real offsets span −12:00 to +14:00.
MAX_UTC_OFFSET = dt.timedelta(hours=16)


class UtcIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        offset = parsed.utcoffset()
        if offset is not None and abs(offset) >= MAX_UTC_OFFSET:
            raise forms.ValidationError(
                "Give an ISO 8601 date-time whose UTC offset is within ±15:59, e.g. 2026-05-01T09:00:00Z.",
                code="invalid",
            )
        return parsed.astimezone(dt.UTC) if offset is not None else parsed


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter whose value reaches the database in UTC; an offset PostgreSQL
    cannot hold is a 400 naming the parameter, never a 500."""

    field_class = UtcIsoDateTimeField


class BaseFilterSet(django_filters.FilterSet):
    """Every list, page or API, can be synced incrementally with `updated_since`."""

    updated_since = IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", label="Updated since (ISO 8601)")


class SearchFilterSet(django_filters.FilterSet):
    """The `q` search box, declared once (as NetBox's BaseFilterSet.search). A subclass lists its
    `search_fields` as lookups (e.g. "first_name__icontains", "external_id__iexact"); a row matches
    when any of them matches. A blank `q` filters nothing. Mix in before BaseFilterSet."""

    q = django_filters.CharFilter(method="filter_search", label="Search")
    search_fields: tuple[str, ...] = ()

    def filter_search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        condition = Q()
        for lookup in self.search_fields:
            condition |= Q(**{lookup: value})
        return queryset.filter(condition)
