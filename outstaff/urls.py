import sys

from django.conf import settings
from django.contrib import admin
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from outstaff.api import errors
from outstaff.api.schema_view import SchemaView

api_v1 = [
    # Before the workers resource: /workers/{id}/export/ and /erase/ are served by the privacy app.
    path("", include("privacy.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("providers.api.urls")),
    path("", include("workers.api.urls")),
    path("", include("screening.api.urls")),
    path("", include("assignments.api.urls")),
    path("", include("risks.api.urls")),
    path("", include("integrations.api.urls")),
]

urlpatterns = [
    path("", include("dashboard.urls")),
    path("", include("accounts.urls")),
    path("workers/", include("workers.urls")),
    path("provider/", include("providers.urls")),
    path("screening/", include("screening.urls")),
    path("teams/", include("assignments.urls")),
    path("risks/", include("risks.urls")),
    path("integrations/", include("integrations.urls")),
    path("audit/", include("audit.urls")),
    path("privacy/", include("privacy.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("scim/v2/", include("integrations.scim.urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("healthz", lambda request: HttpResponse("ok", content_type="text/plain"), name="healthz"),
]

if settings.BENCH_BASELINE_VIEWS:
    # The raw-SQL + orjson floor the bench load run compares the API lists with (bench/baseline.py).
    urlpatterns.append(path("bench/baseline/", include("bench.urls")))


def handler400(request, exception=None):
    if request.path.startswith("/api/"):
        return errors.api_bad_request(request, exception)
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return errors.api_not_found(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    # An OperationalError (the database restarted, failed over or did not answer within
    # connect_timeout) is an outage, not a bug: 503 with Retry-After. Django closes the broken
    # connection at the end of this request (errors_occurred), so the next one reconnects.
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        if request.path.startswith("/api/"):
            return errors.api_service_unavailable(request)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(errors.DATABASE_RETRY_AFTER_SECONDS)
        return response
    if request.path.startswith("/api/"):
        return errors.api_server_error(request)
    from django.views.defaults import server_error

    return server_error(request)
