from urllib.parse import urlencode

from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .backends import DJANGO_MODEL_BACKEND, MODEL_BACKEND
from .selectors import actor_for_request


class SessionBackendMiddleware:
    """A session signed in through Django's ModelBackend (before accounts.backends.ModelBackend
    replaced it) names that backend, which is no longer listed: Django would sign it out. It is
    carried over to ours, once (the session is saved with the new name), before anything reads
    `request.user`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(BACKEND_SESSION_KEY) == DJANGO_MODEL_BACKEND:
            session[BACKEND_SESSION_KEY] = MODEL_BACKEND
        return self.get_response(request)


class ActorMiddleware:
    """Sets `request.actor` (lazily) for pages: the user's membership in their active organization."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for_request(request))
        return self.get_response(request)


# Reachable before the second factor: logging in and out, the two-factor page itself, assets.
_EXEMPT_PREFIXES = ("/login/", "/logout/", "/account/two-factor/", "/admin/login/", "/admin/logout/", "/static/")
_EXEMPT_PATHS = ("/healthz", "/favicon.ico")


class TwoFactorRequiredMiddleware:
    """A session that has not passed a TOTP code is sent to the two-factor page when its user is
    staff (every /admin/ page) or their active organization requires it (every page and session
    API call). API keys authenticate in DRF, after this, and are not sessions: untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        path = request.path
        if (
            user is None
            or not user.is_authenticated
            or user.is_verified()
            or path in _EXEMPT_PATHS
            or path.startswith(_EXEMPT_PREFIXES)
        ):
            return self.get_response(request)
        if path.startswith("/admin/"):
            needed = user.is_staff
        else:
            # Staff need the second factor for the admin; an organization's pages need it when the
            # organization says so.
            actor = request.actor
            needed = bool(actor) and actor.organization.require_two_factor
        if not needed:
            return self.get_response(request)
        if path.startswith("/api/"):
            return JsonResponse(
                {
                    "type": "about:blank",
                    "title": "Two-factor authentication required",
                    "status": 403,
                    "detail": "Your organization requires two-factor authentication: pass a code at "
                    f"{reverse('two-factor')} first, or use an API key.",
                },
                status=403,
                content_type="application/problem+json",
            )
        return redirect(f"{reverse('two-factor')}?{urlencode({'next': request.get_full_path()})}")
