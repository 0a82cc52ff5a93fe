from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.choices import Scope
from outstaff.api.bulk import BulkUpsertMixin
from outstaff.api.history import HistoryMixin
from outstaff.api.preview import RiskPreviewMixin
from outstaff.api.viewsets import ClientWritesMixin, ServiceViewSet, etag_for

from .. import selectors, services
from ..filters import AssignmentFilterSet, TeamFilterSet
from .serializers import (
    AssignmentEndSerializer,
    AssignmentSerializer,
    ProviderAssignmentSerializer,
    TeamSerializer,
)


class TeamViewSet(HistoryMixin, ClientWritesMixin, ServiceViewSet):
    """A client's teams and who manages them. A hiring manager sees the teams they manage.
    `GET …/history/`: every change, managers included (`manager_ids`, before and after)."""

    history_shown_as = {"manager_ids": "managers"}

    scope_family = Scope.ASSIGNMENTS
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet
    selector = selectors.team_list
    create_service = services.team_create
    update_service = services.team_update


class AssignmentViewSet(HistoryMixin, ClientWritesMixin, RiskPreviewMixin, BulkUpsertMixin, ServiceViewSet):
    """Placements of dedicated workers on a client's teams: who directs them, hours, schedule.
    Clients read and write (a hiring manager: on the teams they manage or the work they direct).
    Providers read the compliance facts of the workers they employ — client, client_name, worker,
    role, dates, weekly_hours, directed_by, schedule_set_by_client, equipment_provided_by_client,
    status — without team, manager or external_id, and cannot write (403). `POST …/bulk/` upserts
    up to 1,000 assignments by `external_id`."""

    scope_family = Scope.ASSIGNMENTS
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
    selector = selectors.assignment_list
    list_select_related = ("worker", "client")
    create_service = services.assignment_create
    update_service = services.assignment_update
    bulk_service = services.assignments_upsert

    def get_serializer_class(self):
        actor = getattr(self.request, "actor", None)
        if actor is not None and not getattr(self, "swagger_fake_view", False) and actor.is_provider:
            return ProviderAssignmentSerializer
        return AssignmentSerializer

    def _respond(self, instance):
        response = Response(AssignmentSerializer(instance, context=self.get_serializer_context()).data)
        response["ETag"] = etag_for(instance)
        return response

    @extend_schema(request=AssignmentEndSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, id=None):
        """End the assignment on `ends_on` (the last day worked; default today)."""
        instance = self.get_object()
        serializer = AssignmentEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = services.assignment_end(
            actor=self.actor, assignment=instance, ends_on=serializer.validated_data.get("ends_on")
        )
        return self._respond(instance)

    @extend_schema(request=None, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, id=None):
        """Cancel an assignment that will not happen or was entered in error; it stops blocking
        the worker's dates."""
        instance = self.get_object()
        return self._respond(services.assignment_cancel(actor=self.actor, assignment=instance))
