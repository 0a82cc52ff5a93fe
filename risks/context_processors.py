from django.utils.functional import SimpleLazyObject

from .selectors import risk_flag_open_count_cached


def open_flag_count(request):
    """`risk_open_count` for the navigation badge, read only if a template uses it: a COUNT cached under
    the organization's data version (risks.selectors.risk_flag_open_count_cached)."""
    actor = getattr(request, "actor", None)
    if not getattr(request, "user", None) or not request.user.is_authenticated or not actor:
        return {}
    return {"risk_open_count": SimpleLazyObject(lambda: risk_flag_open_count_cached(actor=actor))}
