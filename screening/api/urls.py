from rest_framework.routers import SimpleRouter

from .views import AssessmentViewSet, CandidateViewSet, ScorecardViewSet, ScreeningViewSet

router = SimpleRouter()
router.register("candidates", CandidateViewSet, basename="candidate")
router.register("screenings", ScreeningViewSet, basename="screening")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("assessments", AssessmentViewSet, basename="assessment")
urlpatterns = router.urls
