from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import RetentionMetricsView, RiskFlagViewSet

router = SimpleRouter()
router.register("risk-flags", RiskFlagViewSet, basename="risk-flag")
urlpatterns = [
    path("metrics/retention", RetentionMetricsView.as_view(), name="metrics-retention"),
    *router.urls,
]
