"""`GET /api/v1/workers/{id}/export/` and `POST /api/v1/workers/{id}/erase/`: mounted beside the
workers resource, served here because they read and rewrite rows of every app."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Scope
from workers.models import Worker

from .. import selectors, services


class _WorkerPrivacyView(APIView):
    scope_family = Scope.WORKERS

    def _worker(self, request, worker_id) -> Worker:
        actor = request.actor
        if not selectors.privacy_allowed(actor=actor, write=request.method == "POST"):
            raise exceptions.PermissionDenied(
                "Only client and provider admins (or an API key with workers:read to export, workers:write to "
                "erase) handle personal data."
            )
        try:
            return selectors.privacy_worker_get(actor=actor, worker_id=worker_id)
        except Worker.DoesNotExist as error:
            raise exceptions.NotFound() from error


class WorkerExportView(_WorkerPrivacyView):
    @extend_schema(
        operation_id="workers_export",
        summary="Everything held on this worker, as one JSON document",
        responses={200: OpenApiResponse(description="The export (format `outstaff.worker-export/1`).")},
    )
    def get(self, request, worker_id):
        worker = self._worker(request, worker_id)
        response = Response(selectors.worker_export(actor=request.actor, worker=worker))
        response["Content-Disposition"] = f'attachment; filename="worker-{worker.pk}.json"'
        return response


class WorkerEraseView(_WorkerPrivacyView):
    @extend_schema(
        operation_id="workers_erase",
        summary="Erase this worker's personal data (pseudonymise; payroll, contracts and audit are kept)",
        request=inline_serializer("WorkerEraseRequest", {"reason": serializers.CharField()}),
        responses={
            200: inline_serializer(
                "WorkerEraseResult", {"id": serializers.UUIDField(), "erased_at": serializers.DateTimeField()}
            )
        },
    )
    def post(self, request, worker_id):
        worker = self._worker(request, worker_id)
        try:
            worker = services.worker_erase(actor=request.actor, worker=worker, reason=request.data.get("reason", ""))
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from error
        return Response({"id": str(worker.pk), "erased_at": worker.erased_at.isoformat()})
