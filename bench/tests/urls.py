"""The app's URLs plus the baseline views, for the reduced bench in the test suite (where
BENCH_BASELINE_VIEWS is off, as everywhere by default)."""

from django.urls import include, path

from outstaff.urls import handler404, handler500  # noqa: F401 - the API error pages
from outstaff.urls import urlpatterns as app_urlpatterns

urlpatterns = [*app_urlpatterns, path("bench/baseline/", include("bench.urls"))]
