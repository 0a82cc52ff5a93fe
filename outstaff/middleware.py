"""Strict Content-Security-Policy: every asset is served by us, so nothing else is allowed."""

import re
import uuid

from django.conf import settings
from pghistory.middleware import HistoryMiddleware

from .client_ip import client_ip
from .dataversion import request_memo

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

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


class DataVersionMemoMiddleware:
    """Each request reads a tenant's data version once (outstaff/dataversion.py ``request_memo``):
    the navigation's cached count and the page's cached body share one read. Any statement that may
    write drops what was read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_memo():
            return self.get_response(request)


class AuditContextMiddleware(HistoryMiddleware):
    """pghistory's request context (who, which URL), plus what DESIGN §9 asks of every audit row:
    the channel (page, API, admin), the method, a request id (the caller's `X-Request-ID`, else a
    fresh one, echoed back) and the client address. API keys add their id and name when DRF
    authenticates them (accounts.authentication)."""

    def get_context(self, request) -> dict:
        context = super().get_context(request)
        path = request.path
        if path.startswith("/api/"):
            channel = "api"
        elif path.startswith("/scim/"):
            channel = "scim"
        elif path.startswith("/admin/"):
            channel = "admin"
        else:
            channel = "page"
        context.update(
            channel=channel,
            method=request.method,
            request_id=request.audit_request_id,
            ip=client_ip(request),
        )
        return context

    def __call__(self, request):
        wanted = request.headers.get("X-Request-ID", "")
        request.audit_request_id = wanted if _REQUEST_ID.fullmatch(wanted) else uuid.uuid4().hex
        response = super().__call__(request)
        response.setdefault("X-Request-ID", request.audit_request_id)
        return response


class RefusalPageMiddleware:
    """A page that refuses (404) is the product's own — it says why and where to go — even under
    DEBUG, where Django would otherwise show its technical 404 listing every URL pattern to a user
    who typed a wrong address or opened another workspace's page. The API keeps its problem+json
    errors and the admin its own pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.http import Http404

        if not isinstance(exception, Http404) or request.path.startswith(("/api/", "/admin/")):
            return None
        from django.views.defaults import page_not_found

        return page_not_found(request, exception)
