from django import template

register = template.Library()


@register.filter
def inbox_days(item, today) -> int:
    """Days from `today` to the item's due date (negative when late)."""
    return item.days_left(today)


@register.filter
def absolute(value: int) -> int:
    return abs(value)
