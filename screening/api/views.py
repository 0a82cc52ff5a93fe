from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.choices import Scope
from outstaff.api.history import HistoryMixin, history_response, history_schema
from outstaff.api.viewsets import ClientWritesMixin, ServiceViewSet, etag_for
from outstaff.audit import audited_fields

from .. import selectors, services
from ..filters import AssessmentFilterSet, CandidateFilterSet, ScorecardFilterSet, ScreeningFilterSet
from .serializers import (
    ActivateSerializer,
    AssessmentSerializer,
    CandidateSerializer,
    ChecklistItemSerializer,
    ChecklistSetSerializer,
    DecisionSerializer,
    HireSerializer,
    ScorecardSerializer,
    ScreeningOutcomeSerializer,
    ScreeningSerializer,
)


class CandidateViewSet(HistoryMixin, ServiceViewSet):
    """People the client is screening. Providers see none."""

    scope_family = Scope.SCREENING
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilterSet
    selector = selectors.candidate_list
    create_service = services.candidate_create
    update_service = services.candidate_update
    partial_update_only = True


class ScreeningViewSet(HistoryMixin, ClientWritesMixin, ServiceViewSet):
    """A candidate screened for a role: stage, status, composite and the expected validity of the
    method mix. Providers get only the outcome (passed / failed, date) of workers they will employ,
    and change nothing (403)."""

    client_writes_refusal = "Only the client that screens changes a screening; providers read its outcome."

    scope_family = Scope.SCREENING
    serializer_class = ScreeningSerializer
    filterset_class = ScreeningFilterSet
    selector = selectors.screening_list
    create_service = services.screening_create
    update_service = services.screening_update
    partial_update_only = True
    # Activating the hired worker changes the worker: it needs the workers write scope.
    write_family_for_action = {"activate": Scope.WORKERS}

    def history_hidden_fields(self, instance) -> set[str]:
        return set() if getattr(instance, "ratings_visible", True) else set(selectors.SCREENING_BLIND_FIELDS)

    def get_serializer_class(self):
        actor = getattr(self.request, "actor", None)
        if actor is not None and getattr(actor, "is_provider", False):
            return ScreeningOutcomeSerializer
        return ScreeningSerializer

    def _after_write(self, screening):
        screening = selectors.screening_get(actor=self.actor, screening_id=screening.pk)
        response = Response(ScreeningSerializer(screening, context=self.get_serializer_context()).data)
        response["ETag"] = etag_for(screening)
        return response

    @extend_schema(request=DecisionSerializer, responses=ScreeningSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, id=None):
        """Pass, fail or withdraw. Passing below the pass rule needs a client admin's `override_reason`."""
        screening = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._after_write(
            services.screening_decide(actor=self.actor, screening=screening, **data.validated_data)
        )

    @extend_schema(request=ChecklistSetSerializer, responses=ScreeningSerializer)
    @action(detail=True, methods=["post"])
    def checklist(self, request, id=None):
        """Check or uncheck one pre-onboarding checklist item."""
        screening = self.get_object()
        data = ChecklistSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.checklist_item_set(actor=self.actor, screening=screening, **data.validated_data)
        return self._after_write(screening)

    @history_schema("Audit history of this screening's pre-onboarding checklist")
    @action(
        detail=True,
        methods=["get"],
        url_path="checklist/history",
        url_name="checklist-history",
        filter_backends=[],
        pagination_class=None,
    )
    def checklist_history(self, request, id=None):
        """Every version of the screening's checklist items (who checked or unchecked which item,
        when, through which channel, with the note), newest first. Clients only: a provider reads a
        screening's outcome, not its checklist."""
        screening = self.get_object()
        if self.actor.is_provider:
            raise exceptions.NotFound()
        events = selectors.checklist_item_versions(screening=screening)
        # What the screening shows of an item, and who checked it.
        shown = {*ChecklistItemSerializer().fields, "checked_by"}
        fields = [f for f in audited_fields(events.model) if f in shown or f.removesuffix("_id") in shown]
        return history_response(request, events, fields=fields, resource="checklist-items", several_objects=True)

    @extend_schema(request=HireSerializer, responses=ScreeningSerializer)
    @action(detail=True, methods=["post"])
    def hire(self, request, id=None):
        """Hire the passed candidate: creates (or links) the worker with the provider and an outstaffing
        employment contract. Unchecked checklist items need a client admin's `override_reason`."""
        screening = self.get_object()
        data = HireSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        services.screening_hire(actor=self.actor, screening=screening, **data.validated_data)
        response = self._after_write(screening)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=ActivateSerializer, responses=ScreeningSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, id=None):
        """Activate the hired worker. The onboarding gate holds: without a passed screening a client
        admin must give `override_reason`, which is audited and marks the worker."""
        screening = self.get_object()
        data = ActivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.screening_worker_activate(actor=self.actor, screening=screening, **data.validated_data)
        return self._after_write(screening)


class ScorecardViewSet(HistoryMixin, ServiceViewSet):
    """Structured-interview scorecards. Blind: others' ratings are null until you submit your own for
    that screening. Submitted scorecards are immutable; POST again to submit a corrected new version."""

    scope_family = Scope.SCREENING
    serializer_class = ScorecardSerializer
    filterset_class = ScorecardFilterSet
    selector = selectors.scorecard_list
    create_service = services.scorecard_save
    update_service = services.scorecard_update
    partial_update_only = True

    def history_hidden_fields(self, instance) -> set[str]:
        return set() if instance.ratings_visible else set(selectors.SCORECARD_BLIND_FIELDS)


class AssessmentViewSet(HistoryMixin, ServiceViewSet):
    """Assessment results (cognitive, work sample, job knowledge, language with CEFR per skill).
    POST with an `external_id` upserts: vendors can resend results safely."""

    scope_family = Scope.SCREENING
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilterSet
    selector = selectors.assessment_list
    create_service = services.assessment_record
