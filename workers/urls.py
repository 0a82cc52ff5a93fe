from django.urls import path

from . import views

app_name = "workers"
urlpatterns = [
    path("", views.WorkerListView.as_view(), name="list"),
    path("check-ins/", views.CheckInListView.as_view(), name="check-ins"),
    path("<uuid:worker_id>/", views.WorkerDetailView.as_view(), name="detail"),
    path("<uuid:worker_id>/dates/", views.WorkerDatesEditView.as_view(), name="dates"),
]
