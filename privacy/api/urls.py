from django.urls import path

from . import views

urlpatterns = [
    path("workers/<uuid:worker_id>/export/", views.WorkerExportView.as_view(), name="worker-export"),
    path("workers/<uuid:worker_id>/erase/", views.WorkerEraseView.as_view(), name="worker-erase"),
]
