from rest_framework import permissions

from outstaff.api.scopes import accepted_scopes

from .selectors import actor_for_request


class OrganizationScopePermission(permissions.BasePermission):
    """Requires an actor (a member user or an API key) allowed to read, or for unsafe methods
    write, the view's `scope_family` (any one of them, where it names several). Row-level scoping
    happens in the selectors. A refusal names the scope that is missing."""

    message = "Your role or API key scopes do not allow this."

    def has_permission(self, request, view) -> bool:
        actor = actor_for_request(request)
        if actor is None:
            return False
        request.actor = actor
        scopes = accepted_scopes(view, request.method)
        if not scopes:
            return False
        if any(self._allows(actor, scope) for scope in scopes):
            return True
        needed = scopes[0] if len(scopes) == 1 else "one of " + ", ".join(scopes)
        if getattr(actor, "api_key", None) is not None:
            self.message = f"This API key lacks a scope: needs {needed}."
        else:
            self.message = f"Your role ({actor.role or 'none'}) does not allow this: needs {needed}."
        return False

    @staticmethod
    def _allows(actor, scope: str) -> bool:
        family, access = scope.split(":")
        return actor.can_read(family) if access == "read" else actor.can_write(family)
