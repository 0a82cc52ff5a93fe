"""Sortable column headers for FilteredListView pages."""

from django import template
from django.utils import timezone
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


@register.inclusion_tag("includes/days_left.html")
def days_left(date, warn_within: int = 30):
    """How far a date (an expiry, a cap) is from today in words: "12 days left", "today",
    "expired 3 days ago"; "soon" within `warn_within` days, "past" once gone."""
    if date is None:
        return {"days": None}
    days = (date - timezone.localdate()).days
    tone = "past" if days < 0 else ("soon" if days <= warn_within else "later")
    return {"days": days, "ago": -days, "tone": tone}
