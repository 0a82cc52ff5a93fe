from django.urls import path

from . import views

app_name = "screening"
urlpatterns = [
    path("", views.ScreeningBoardView.as_view(), name="board"),
    path("templates/", views.TemplateListView.as_view(), name="templates"),
    path("templates/<uuid:template_id>/", views.TemplateDetailView.as_view(), name="template"),
    path("<uuid:screening_id>/", views.ScreeningDetailView.as_view(), name="detail"),
    path("<uuid:screening_id>/stage/", views.StageView.as_view(), name="stage"),
    path("<uuid:screening_id>/scorecard/", views.ScorecardView.as_view(), name="scorecard"),
    path("<uuid:screening_id>/review-only/", views.ReviewOnlyView.as_view(), name="review-only"),
    path("<uuid:screening_id>/assessment/", views.AssessmentView.as_view(), name="assessment"),
    path("<uuid:screening_id>/checklist/", views.ChecklistView.as_view(), name="checklist"),
    path("<uuid:screening_id>/decide/", views.DecisionView.as_view(), name="decide"),
    path("<uuid:screening_id>/hire/", views.HireView.as_view(), name="hire"),
    path("<uuid:screening_id>/activate/", views.ActivateView.as_view(), name="activate"),
]
