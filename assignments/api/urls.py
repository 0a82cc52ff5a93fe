from rest_framework.routers import SimpleRouter

from .views import AssignmentViewSet, TeamViewSet

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("assignments", AssignmentViewSet, basename="assignment")
urlpatterns = router.urls
