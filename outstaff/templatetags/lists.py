"""Sortable column headers for FilteredListView pages."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str):
    """A header link that sorts by `key`, keeping the filters; a second click reverses it. The
    current sort is announced to screen readers through aria-sort on the enclosing <th>."""
    request = context["request"]
    current, descending = context.get("sort") or ("", False)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    active = current == key
    query["sort"] = f"-{key}" if active and not descending else key
    arrow = (" ↓" if descending else " ↑") if active else ""
    state = ("descending" if descending else "ascending") if active else "none"
    return format_html(
        '<a href="?{}" class="sort" data-sort="{}">{}<span aria-hidden="true">{}</span></a>',
        query.urlencode(),
        state,
        label,
        arrow,
    )
