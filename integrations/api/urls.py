from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import DeletionViewSet, WebhookDeliveryViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
# The feed is a list only: a tombstone has no page of its own.
urlpatterns = [
    path("deletions/", DeletionViewSet.as_view({"get": "list"}), name="deletion-list"),
    *router.urls,
]
