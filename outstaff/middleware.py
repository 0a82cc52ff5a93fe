"""Strict Content-Security-Policy: every asset is served by us, so nothing else is allowed."""

from django.conf import settings

_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
# Swagger UI and ReDoc (served from the sidecar, never a CDN) use inline bootstrapping code.
_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            docs = request.path.startswith("/api/docs") or request.path.startswith("/api/redoc")
            admin = request.path.startswith("/admin/")
            policy = _DOCS_POLICY if docs or admin else getattr(settings, "CONTENT_SECURITY_POLICY", _POLICY)
            response["Content-Security-Policy"] = policy
        return response
