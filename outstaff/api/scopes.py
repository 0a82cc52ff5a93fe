from rest_framework import permissions


def required_scope(view, method: str) -> str | None:
    """The API-key scope a request needs (`workers:read`, `payroll:write`, …), from the view's
    `scope_family` (and `write_family_for_action` for actions that change another family). The
    permission check and the OpenAPI security requirement both use it, so they cannot disagree."""
    family = getattr(view, "scope_family", None)
    if not family:
        return None
    if method.upper() in permissions.SAFE_METHODS:
        return f"{family}:read"
    extra = getattr(view, "write_family_for_action", {}).get(getattr(view, "action", None))
    return f"{extra or family}:write"
