from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.choices import Scope
from outstaff.api.bulk import BulkUpsertMixin
from outstaff.api.history import HistoryMixin
from outstaff.api.preview import RiskPreviewMixin
from outstaff.api.viewsets import ServiceViewSet, etag_for

from .. import selectors, services
from ..filters import CheckInFilterSet, WorkerFilterSet
from .serializers import CheckInSerializer, WorkerActivateSerializer, WorkerOffboardSerializer, WorkerSerializer


class WorkerViewSet(HistoryMixin, RiskPreviewMixin, BulkUpsertMixin, ServiceViewSet):
    """Dedicated workers visible to the caller. Providers see the workers they employ; clients see
    the workers dedicated to them."""

    scope_family = Scope.WORKERS
    serializer_class = WorkerSerializer
    filterset_class = WorkerFilterSet
    selector = selectors.worker_list
    list_select_related = ()
    create_service = services.worker_create
    update_service = services.worker_update
    bulk_service = services.workers_upsert

    @extend_schema(request=WorkerOffboardSerializer, responses=WorkerSerializer)
    @action(detail=True, methods=["post"])
    def offboard(self, request, id=None):
        """Offboard the worker: exit date, reason (voluntary, involuntary, end of assignment), notes."""
        worker = self.get_object()
        payload = WorkerOffboardSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        worker = services.worker_offboard(actor=self.actor, worker=worker, **payload.validated_data)
        response = Response(WorkerSerializer(worker, context=self.get_serializer_context()).data)
        response["ETag"] = etag_for(worker)
        return response

    @extend_schema(request=WorkerActivateSerializer, responses=WorkerSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, id=None):
        """Move an onboarding worker to active. Needs a passed screening, or a client admin's
        written `override_reason` (audited; the risk engine flags it)."""
        worker = self.get_object()
        payload = WorkerActivateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        worker = services.worker_activate(actor=self.actor, worker=worker, **payload.validated_data)
        response = Response(WorkerSerializer(worker, context=self.get_serializer_context()).data)
        response["ETag"] = etag_for(worker)
        return response


class CheckInViewSet(HistoryMixin, ServiceViewSet):
    """30/60/90-day check-ins (scheduled automatically from the start date) and ad-hoc ones.
    PATCH a check-in with `done_on` and the three 1–5 ratings to record it."""

    scope_family = Scope.WORKERS
    serializer_class = CheckInSerializer
    filterset_class = CheckInFilterSet
    selector = selectors.check_in_list
    create_service = services.check_in_create
    update_service = services.check_in_record
    partial_update_only = True
