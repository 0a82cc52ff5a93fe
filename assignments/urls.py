from django.urls import path

from . import views

app_name = "assignments"
urlpatterns = [
    path("", views.TeamListView.as_view(), name="list"),
    path("new/", views.TeamCreateView.as_view(), name="team-create"),
    path("<uuid:team_id>/", views.TeamDetailView.as_view(), name="detail"),
    path("<uuid:team_id>/edit/", views.TeamEditView.as_view(), name="team-edit"),
    path("<uuid:team_id>/assignments/new/", views.AssignmentCreateView.as_view(), name="assignment-create"),
    path("assignments/new/", views.AssignmentForWorkerCreateView.as_view(), name="assignment-new"),
    path("assignments/<uuid:assignment_id>/edit/", views.AssignmentEditView.as_view(), name="assignment-edit"),
    path("assignments/<uuid:assignment_id>/end/", views.AssignmentEndView.as_view(), name="assignment-end"),
    path("assignments/<uuid:assignment_id>/cancel/", views.AssignmentCancelView.as_view(), name="assignment-cancel"),
]
