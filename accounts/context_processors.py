from .selectors import actor_for_request, membership_list_for_user


def actor(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "actor": actor_for_request(request),
        "memberships": membership_list_for_user(user=request.user),
    }
