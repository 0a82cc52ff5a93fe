from rest_framework import permissions


def accepted_scopes(view, method: str) -> list[str]:
    """The API-key scopes (`workers:read`, `payroll:write`, …) any one of which allows a request,
    from the view's `scope_family` (one family, or a tuple of families any of which will do) and
    `write_family_for_action` for actions that change another family. The permission check and the
    OpenAPI security requirement both use it, so they cannot disagree."""
    declared = getattr(view, "scope_family", None)
    families = declared if isinstance(declared, tuple) else (declared,) if declared else ()
    if method.upper() in permissions.SAFE_METHODS:
        return [f"{family}:read" for family in families]
    extra = getattr(view, "write_family_for_action", {}).get(getattr(view, "action", None))
    return [f"{extra}:write"] if extra else [f"{family}:write" for family in families]
