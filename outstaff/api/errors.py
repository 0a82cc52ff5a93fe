"""One error format everywhere: RFC 9457 problem details, with per-field errors.

{"type": "...", "title": "Invalid input", "status": 400, "detail": "...",
 "errors": [{"field": "weekly_hours", "message": "Ensure this value is less than or equal to 80."}]}
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://outstaff.dev/problems/"

_TITLES = {
    400: "Invalid input",
    401: "Authentication required",
    403: "Permission denied",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    406: "Not acceptable",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    428: "Precondition required",
    429: "Too many requests",
    503: "Service unavailable",
}


def _flatten(detail, prefix: str = "") -> list[dict]:
    """Turn DRF's nested error dict/list into a flat list of {field, message}."""
    errors: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = key if key not in ("non_field_errors", "__all__") else ""
            path = f"{prefix}.{field}" if prefix and field else (field or prefix)
            errors.extend(_flatten(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            errors.extend({"field": prefix or None, "message": str(item)} for item in detail)
        else:
            for index, item in enumerate(detail):
                errors.extend(_flatten(item, f"{prefix}[{index}]" if prefix else f"[{index}]"))
    else:
        errors.append({"field": prefix or None, "message": str(detail)})
    return errors


def flatten_errors(detail, prefix: str = "") -> list[dict]:
    """`{"work_email": ["Enter a valid email address."]}` → `[{"field": "<prefix>.work_email", ...}]`."""
    return _flatten(detail, prefix)


def problem(status_code: int, detail: str, *, errors: list[dict] | None = None, slug: str | None = None) -> dict:
    body = {
        "type": PROBLEM_BASE + (slug or _TITLES.get(status_code, "error").lower().replace(" ", "-")),
        "title": _TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # A body without Content-Length that still grew past the limit (the middleware refuses
        # those with one before they are read).
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = problem(413, f"The request body is larger than the {limit} bytes this API accepts.")
        return Response(body, status=413, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, SuspiciousOperation):
        # E.g. more than DATA_UPLOAD_MAX_NUMBER_FIELDS form fields or query parameters: Django
        # would answer with its HTML 400 page.
        body = problem(400, bad_request_detail(exc))
        return Response(body, status=400, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, IntegrityError):
        # A constraint the database enforces (overlap, uniqueness) that slipped past validation
        # because of a race: a conflict, not a server error.
        body = problem(409, "The change conflicts with existing data: " + str(exc).splitlines()[0])
        return Response(body, status=409, content_type=PROBLEM_CONTENT_TYPE)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        # Services say why (e.g. "Only a client admin may override the gate"); keep their words.
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = exception_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        summary = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors[:5])
        body = problem(400, summary or "The request was invalid.", errors=errors, slug="validation-error")
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, (dict, list)):
            body = problem(code, "See errors.", errors=_flatten(detail))
        else:
            body = problem(code, str(detail))
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def bad_request_detail(exception) -> str:
    from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent

    if isinstance(exception, TooManyFieldsSent):
        return (
            f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} parameters or form fields; "
            "send fewer (or a JSON body)."
        )
    if isinstance(exception, TooManyFilesSent):
        return f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files."
    return "The request is malformed."


def api_bad_request(request, exception=None):
    """Django's 400 (a SuspiciousOperation raised outside a view, e.g. too many query
    parameters) for an API path: problem JSON, like every other API error."""
    body = problem(400, bad_request_detail(exception))
    return JsonResponse(body, status=400, content_type=PROBLEM_CONTENT_TYPE)


def api_not_found(request, exception=None):
    return JsonResponse(problem(404, "No such resource."), status=404, content_type=PROBLEM_CONTENT_TYPE)


def api_server_error(request):
    return JsonResponse(
        problem(500, "An unexpected error occurred; it has been logged."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        content_type=PROBLEM_CONTENT_TYPE,
    )


# Seconds a client is told to wait when the database is unreachable (restart, failover).
DATABASE_RETRY_AFTER_SECONDS = 5


def api_service_unavailable(request):
    """The database went away mid-request (restart, failover, connect timeout): a 503 the client may
    retry, not a 500. Whatever the request was writing was rolled back with the lost connection."""
    response = JsonResponse(
        problem(503, "The database is unavailable; nothing was changed. Retry shortly.", slug="database-unavailable"),
        status=503,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response
