from rest_framework.routers import SimpleRouter

from .views import CheckInViewSet, WorkerViewSet

router = SimpleRouter()
router.register("workers", WorkerViewSet, basename="worker")
router.register("check-ins", CheckInViewSet, basename="check-in")
urlpatterns = router.urls
