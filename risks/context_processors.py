from django.utils.functional import SimpleLazyObject

from .selectors import risk_flag_open_count


def open_flag_count(request):
    """`risk_open_count` for the navigation badge: one COUNT query, run only if a template uses it."""
    actor = getattr(request, "actor", None)
    if not getattr(request, "user", None) or not request.user.is_authenticated or not actor:
        return {}
    return {"risk_open_count": SimpleLazyObject(lambda: risk_flag_open_count(actor=actor))}
