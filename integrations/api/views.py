from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.choices import Scope
from outstaff.api.history import HistoryMixin
from outstaff.api.pagination import CursorPagination
from outstaff.api.viewsets import ReadOnlyServiceViewSet, ServiceViewSet, etag_for

from .. import selectors, services
from ..choices import TOMBSTONE_RESOURCES
from ..filters import TombstoneFilterSet, WebhookDeliveryFilterSet, WebhookEndpointFilterSet
from ..tasks import webhook_dispatch_on_commit
from .serializers import (
    TombstoneSerializer,
    WebhookDeliveryDetailSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWithSecretSerializer,
)


class WebhookEndpointViewSet(HistoryMixin, ServiceViewSet):
    """The organization's webhook endpoints. Creating one (or `POST …/rotate-secret/`) returns its
    `whsec_…` signing secret, the only times it is shown. Deliveries are signed per the Standard
    Webhooks spec (`webhook-id`, `webhook-timestamp`, `webhook-signature`). `Idempotency-Key` is not
    honoured on create or rotate-secret: a replay would have to store the secret. `GET …/history/`:
    who created, changed, rotated (a new `previous_secret_expires_at`) or deleted it; never a secret."""

    scope_family = Scope.WEBHOOKS
    not_replayed_actions = ("create", "rotate_secret")
    serializer_class = WebhookEndpointSerializer
    filterset_class = WebhookEndpointFilterSet
    selector = selectors.webhook_endpoint_list
    create_service = services.webhook_endpoint_create
    update_service = services.webhook_endpoint_update
    delete_service = services.webhook_endpoint_delete

    @extend_schema(request=WebhookEndpointSerializer, responses={201: WebhookEndpointWithSecretSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_create(actor=self.actor, **serializer.validated_data)
        response = Response(WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(endpoint)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, responses=WebhookEndpointWithSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, id=None):
        """Replace the signing secret and return the new one (shown only here). For 24 hours
        deliveries carry a signature with each secret, so the receiver can switch over at leisure."""
        endpoint = self.get_object()
        endpoint = services.webhook_endpoint_rotate_secret(actor=self.actor, endpoint=endpoint)
        response = Response(WebhookEndpointWithSecretSerializer(endpoint).data)
        response["ETag"] = etag_for(endpoint)
        response["Cache-Control"] = "no-store"
        return response


class WebhookDeliveryViewSet(ReadOnlyServiceViewSet):
    """Deliveries of the organization's events to its endpoints, newest first, with the attempt log
    on retrieve. `POST …/redeliver/` queues one again now."""

    scope_family = Scope.WEBHOOKS
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilterSet
    selector = selectors.webhook_delivery_list

    def get_serializer_class(self):
        if self.action in ("retrieve", "redeliver"):
            return WebhookDeliveryDetailSerializer
        return WebhookDeliverySerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("retrieve", "redeliver"):
            queryset = queryset.prefetch_related("attempt_log")
        return queryset

    @extend_schema(request=None, responses={202: WebhookDeliveryDetailSerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, id=None):
        """Queue the delivery again now; the attempt shows in its log."""
        delivery = services.webhook_delivery_redeliver(actor=self.actor, delivery=self.get_object())
        webhook_dispatch_on_commit()
        return self.respond(delivery, status_code=status.HTTP_202_ACCEPTED)


class DeletionCursorPagination(CursorPagination):
    ordering = ("-deleted_at", "-id")


class DeletionViewSet(ReadOnlyServiceViewSet):
    """Tombstones of deleted resources (workers, contracts, assignments, payroll entries, compliance
    items, teams, payroll runs, legal entities, check-ins, candidates, screenings, assessments, risk
    flags), whichever way they were deleted (API, admin, cascade, erasure). Poll with
    `updated_since` (the deletion time) after each sync and drop the listed ids; each deletion also
    sends a `<resource>.deleted` webhook event. Scoped like the resources: only organizations that
    could see a row see its tombstone, and only for the resource families the key may read (any
    one read scope of them opens the feed)."""

    scope_family = tuple(sorted({family for family, _ in TOMBSTONE_RESOURCES.values()}))
    serializer_class = TombstoneSerializer
    filterset_class = TombstoneFilterSet
    pagination_class = DeletionCursorPagination
    selector = selectors.tombstone_list
