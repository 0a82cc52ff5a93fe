from .selectors import actor_for_request, memberships_for_request


def actor(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "actor": actor_for_request(request),
        "memberships": memberships_for_request(request),
    }
