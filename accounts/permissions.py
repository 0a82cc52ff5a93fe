from rest_framework import permissions

from outstaff.api.scopes import required_scope

from .selectors import actor_for_request


class OrganizationScopePermission(permissions.BasePermission):
    """Requires an actor (a member user or an API key) allowed to read, or for unsafe methods
    write, the view's `scope_family`. Row-level scoping happens in the selectors. A refusal names
    the scope that is missing."""

    message = "Your role or API key scopes do not allow this."

    def has_permission(self, request, view) -> bool:
        actor = actor_for_request(request)
        if actor is None:
            return False
        request.actor = actor
        scope = required_scope(view, request.method)
        if scope is None:
            return False
        family, access = scope.split(":")
        allowed = actor.can_read(family) if access == "read" else actor.can_write(family)
        if not allowed:
            if getattr(actor, "api_key", None) is not None:
                self.message = f"This API key lacks a scope: needs {scope}."
            else:
                self.message = f"Your role ({actor.role or 'none'}) does not allow this: needs {scope}."
        return allowed
