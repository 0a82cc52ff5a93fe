"""`GET /api/v1/workers/{id}/export/` and `POST /api/v1/workers/{id}/erase/`: mounted beside the
workers resource, served here because they read and rewrite rows of every app. On the one base
viewset like every resource: the worker is fetched through the actor's selector (another tenant's
worker is 404), erase re-checks `If-Match` under the row lock and honours `Idempotency-Key`."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.choices import Scope
from outstaff.api.viewsets import ReadOnlyServiceViewSet, etag_for
from workers.models import Worker

from .. import selectors, services


class WorkerPrivacyViewSet(ReadOnlyServiceViewSet):
    scope_family = Scope.WORKERS
    selector = selectors.privacy_worker_list
    lookup_url_kwarg = "worker_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no actor
            return Worker.objects.none()
        return super().get_queryset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not selectors.privacy_allowed(actor=request.actor, write=request.method == "POST"):
            raise exceptions.PermissionDenied(
                "Only client and provider admins (or an API key with workers:read to export, workers:write to "
                "erase) handle personal data."
            )

    @extend_schema(
        operation_id="workers_export",
        summary="Everything held on this worker, as one JSON document",
        responses={200: OpenApiResponse(description="The export (format `outstaff.worker-export/1`).")},
    )
    @action(detail=True, methods=["get"])
    def export(self, request, worker_id=None):
        worker = self.get_object()
        response = Response(selectors.worker_export(actor=request.actor, worker=worker))
        response["Content-Disposition"] = f'attachment; filename="worker-{worker.pk}.json"'
        return response

    @extend_schema(
        operation_id="workers_erase",
        summary="Erase this worker's personal data (pseudonymise; payroll, contracts and audit are kept)",
        request=inline_serializer("WorkerErase", {"reason": serializers.CharField()}),
        responses={
            200: inline_serializer(
                "WorkerEraseResult", {"id": serializers.UUIDField(), "erased_at": serializers.DateTimeField()}
            )
        },
    )
    @action(detail=True, methods=["post"])
    def erase(self, request, worker_id=None):
        worker = self.get_object()  # locked and If-Match-checked
        try:
            worker = services.worker_erase(actor=request.actor, worker=worker, reason=request.data.get("reason", ""))
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from error
        response = Response({"id": str(worker.pk), "erased_at": worker.erased_at.isoformat()})
        response["ETag"] = etag_for(worker)
        return response
