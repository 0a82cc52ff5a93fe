from rest_framework import permissions

from .selectors import actor_for_request


class OrganizationScopePermission(permissions.BasePermission):
    """Requires an actor (a member user or an API key) allowed to read, or for unsafe methods
    write, the view's `scope_family`. Row-level scoping happens in the selectors."""

    message = "Your role or API key scopes do not allow this."

    def has_permission(self, request, view) -> bool:
        actor = actor_for_request(request)
        if actor is None:
            return False
        request.actor = actor
        family = getattr(view, "scope_family", None)
        if family is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return actor.can_read(family)
        extra = getattr(view, "write_family_for_action", {}).get(getattr(view, "action", None))
        return actor.can_write(extra or family)
