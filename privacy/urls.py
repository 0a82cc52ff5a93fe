from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("workers/<uuid:worker_id>/", views.WorkerPersonalDataView.as_view(), name="worker"),
]
