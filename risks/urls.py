from django.urls import path

from . import views

app_name = "risks"
urlpatterns = [
    path("", views.RiskBoardView.as_view(), name="board"),
    path("open-count/", views.RiskOpenCountView.as_view(), name="open-count"),
    path("flags/<uuid:flag_id>/", views.RiskFlagDetailView.as_view(), name="flag-detail"),
    path(
        "flags/<uuid:flag_id>/<slug:action>/",
        views.RiskFlagTransitionView.as_view(),
        name="flag-transition",
    ),
    path("jurisdictions/", views.JurisdictionListView.as_view(), name="jurisdictions"),
    path("retention/", views.RetentionView.as_view(), name="retention"),
]
