"""What every `/api/` response shares that no view can do itself.

- A body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` is refused with 413 problem JSON before any
  view or middleware reads it (Django would raise RequestDataTooBig on first access and answer
  with its HTML 400 page).
- The rate-limit state the throttles recorded for this request goes out as `RateLimit-*` headers.
"""

from django.conf import settings
from django.http import JsonResponse

from .errors import PROBLEM_CONTENT_TYPE, problem


def too_large_response(limit: int) -> JsonResponse:
    return JsonResponse(
        problem(413, f"The request body is larger than the {limit} bytes this API accepts; send fewer items."),
        status=413,
        content_type=PROBLEM_CONTENT_TYPE,
    )


class ApiRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return too_large_response(limit)
        response = self.get_response(request)
        state = getattr(request, "rate_limit", None)
        if state is not None:
            limit_count, remaining, reset = state
            response["RateLimit-Limit"] = str(limit_count)
            response["RateLimit-Remaining"] = str(max(remaining, 0))
            response["RateLimit-Reset"] = str(max(int(reset), 0))
        return response
