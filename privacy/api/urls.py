from django.urls import path

from . import views

urlpatterns = [
    path(
        "workers/<uuid:worker_id>/export/",
        views.WorkerPrivacyViewSet.as_view({"get": "export"}),
        name="worker-export",
    ),
    path(
        "workers/<uuid:worker_id>/erase/",
        views.WorkerPrivacyViewSet.as_view({"post": "erase"}),
        name="worker-erase",
    ),
]
