from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Scope
from outstaff.api.history import HistoryMixin
from outstaff.api.viewsets import ServiceViewSet, etag_for

from .. import retention, selectors, services
from ..filters import RiskFlagFilterSet
from .serializers import (
    RetentionQuerySerializer,
    RetentionReportSerializer,
    RiskFlagDismissSerializer,
    RiskFlagNoteSerializer,
    RiskFlagReasonSerializer,
    RiskFlagSerializer,
)


class RiskFlagViewSet(HistoryMixin, ServiceViewSet):
    """Risk flags raised by the scans about workers visible to the caller: clients see their flags,
    providers the flags about workers they employ. Flags are read-only except for their lifecycle:
    `acknowledge` (open → acknowledged), `resolve` (open or acknowledged → resolved) and `dismiss`
    (with a reason; it stays dismissed until its evidence changes). Filter by `category`,
    `severity`, `status`, `rule_code`, `worker`, `client`, `provider`, `updated_since`."""

    scope_family = Scope.RISKS
    serializer_class = RiskFlagSerializer
    filterset_class = RiskFlagFilterSet
    selector = selectors.risk_flag_list
    list_select_related = ("worker", "client", "provider", "status_changed_by")

    def _transition(self, request, serializer_class, service, argument):
        flag = self.get_object()
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        flag = service(actor=self.actor, flag=flag, **{argument: payload.validated_data[argument]})
        flag = self.get_queryset().get(pk=flag.pk)
        response = Response(RiskFlagSerializer(flag, context=self.get_serializer_context()).data)
        response["ETag"] = etag_for(flag)
        return response

    @extend_schema(request=RiskFlagNoteSerializer, responses=RiskFlagSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, id=None):
        """Acknowledge an open flag (optional `note`)."""
        return self._transition(request, RiskFlagNoteSerializer, services.risk_flag_acknowledge, "note")

    @extend_schema(request=RiskFlagReasonSerializer, responses=RiskFlagSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, id=None):
        """Resolve a flag by hand (optional `reason`). If the condition still holds, the next scan opens a new one."""
        return self._transition(request, RiskFlagReasonSerializer, services.risk_flag_resolve, "reason")

    @extend_schema(request=RiskFlagDismissSerializer, responses=RiskFlagSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, id=None):
        """Dismiss a flag with a `reason`; a later scan reopens it only if its evidence changes."""
        return self._transition(request, RiskFlagDismissSerializer, services.risk_flag_dismiss, "reason")


class RetentionMetricsView(APIView):
    """90-day retention per start-month cohort: of the workers who started in a month, the share
    still employed on day 90. A cohort whose starters have not all reached day 90 is `complete:
    false` with `retention_rate: null` (never shown as 100%). Early leavers' exit reasons per cohort.
    Grouped by `client`, `team`, `provider`, `country` or `role`."""

    scope_family = Scope.RISKS

    @extend_schema(
        # The query serializer itself, so the schema carries the bounds the server enforces
        # (months 1–36) and the group_by enum, not a hand-written copy of them.
        parameters=[RetentionQuerySerializer],
        responses=RetentionReportSerializer,
    )
    def get(self, request):
        query = RetentionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = retention.retention_cohorts(actor=request.actor, **query.validated_data)
        return Response(RetentionReportSerializer(report.as_dict()).data, status=status.HTTP_200_OK)
