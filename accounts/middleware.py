from django.utils.functional import SimpleLazyObject

from .selectors import actor_for_request


class ActorMiddleware:
    """Sets `request.actor` (lazily) for pages: the user's membership in their active organization."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for_request(request))
        return self.get_response(request)
