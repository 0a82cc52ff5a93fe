"""What every `/api/` response shares that no view can do itself.

- A body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` is refused with 413 problem JSON before any
  view or middleware reads it (Django would raise RequestDataTooBig on first access and answer
  with its HTML 400 page). `/scim/` gets the same refusal in SCIM's own error format (RFC 7644
  §3.12).
- The rate-limit state the throttles recorded for this request goes out as `RateLimit-*` headers.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from .errors import PROBLEM_CONTENT_TYPE, problem


def too_large_response(limit: int) -> JsonResponse:
    return JsonResponse(
        problem(413, f"The request body is larger than the {limit} bytes this API accepts; send fewer items."),
        status=413,
        content_type=PROBLEM_CONTENT_TYPE,
    )


SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


def scim_too_large_response(limit: int) -> HttpResponse:
    body = {
        "schemas": [SCIM_ERROR_SCHEMA],
        "status": "413",
        "detail": f"The request body is larger than the {limit} bytes this service accepts.",
    }
    return JsonResponse(body, status=413, content_type="application/scim+json")


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class ApiRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        too_large = limit is not None and _declared_length(request) > limit
        if request.path.startswith("/scim/"):
            return scim_too_large_response(limit) if too_large else self.get_response(request)
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if too_large:
            return too_large_response(limit)
        response = self.get_response(request)
        state = getattr(request, "rate_limit", None)
        if state is not None:
            limit_count, remaining, reset = state
            response["RateLimit-Limit"] = str(limit_count)
            response["RateLimit-Remaining"] = str(max(remaining, 0))
            response["RateLimit-Reset"] = str(max(int(reset), 0))
        return response
