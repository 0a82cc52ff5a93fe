from rest_framework.routers import SimpleRouter

from .views import DeletionViewSet, WebhookDeliveryViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("deletions", DeletionViewSet, basename="deletion")
urlpatterns = router.urls
