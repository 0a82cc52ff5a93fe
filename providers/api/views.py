import pghistory
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.choices import Scope
from outstaff.api.history import HistoryMixin
from outstaff.api.pagination import CursorPagination
from outstaff.api.viewsets import PreconditionFailed, ServiceViewSet, etag_for

from .. import selectors, services
from ..filters import (
    ComplianceItemFilterSet,
    ContractFilterSet,
    LegalEntityFilterSet,
    PayrollEntryFilterSet,
    PayrollRunFilterSet,
    ProviderFilterSet,
)
from .serializers import (
    BulkRequestSerializer,
    BulkResponseSerializer,
    ComplianceItemSerializer,
    ComplianceItemUpdateSerializer,
    ContractSerializer,
    LegalEntitySerializer,
    PayrollEntrySerializer,
    PayrollEntryUpdateSerializer,
    PayrollRunSerializer,
    PayrollRunUpdateSerializer,
    ProviderSerializer,
)

WRITE_METHODS = ["get", "post", "put", "patch", "head", "options"]


class AuditedChannelMixin:
    """Audit rows written through the API say so, for session callers too (API keys add the key)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            pghistory.context(channel="api")


class UpdateSerializerMixin:
    update_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return super().get_serializer_class()


class IfMatchUnderLockMixin:
    """The base viewset compares If-Match with the row it read, without a lock: two callers holding
    the same ETag could both pass and the second would silently overwrite the first. The version
    read is handed to the service, which compares it again under the row lock (412 when stale)."""

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        self._check_if_match(instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        if_match = (request.headers.get("If-Match") or "").strip()
        expected = instance.updated_at if if_match and if_match != "*" else None
        try:
            instance = type(self).update_service(
                actor=self.actor, instance=instance, expected_updated_at=expected, **serializer.validated_data
            )
        except services.StaleEdit as error:
            raise PreconditionFailed() from error
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response


class ProviderPagination(CursorPagination):
    ordering = ("-created_at", "-organization_id")


class ProviderViewSet(AuditedChannelMixin, ServiceViewSet):
    """Provider profiles. Clients read the directory; a provider reads and updates its own."""

    scope_family = Scope.PROVIDERS
    serializer_class = ProviderSerializer
    filterset_class = ProviderFilterSet
    pagination_class = ProviderPagination
    selector = selectors.provider_list
    update_service = services.provider_update
    lookup_field = "organization_id"
    lookup_url_kwarg = "id"
    http_method_names = ["get", "put", "patch", "head", "options"]


class LegalEntityViewSet(HistoryMixin, AuditedChannelMixin, ServiceViewSet):
    """A provider's legal entities per country. Clients read those of their workers' providers."""

    scope_family = Scope.PROVIDERS
    serializer_class = LegalEntitySerializer
    filterset_class = LegalEntityFilterSet
    selector = selectors.legal_entity_list
    create_service = services.legal_entity_create
    update_service = services.legal_entity_update
    http_method_names = WRITE_METHODS


class ContractViewSet(HistoryMixin, AuditedChannelMixin, ServiceViewSet):
    """Employment contracts. Providers write their own; clients read their workers' contracts."""

    scope_family = Scope.CONTRACTS
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    selector = selectors.contract_list
    create_service = services.contract_create
    update_service = services.contract_update
    http_method_names = WRITE_METHODS


class PayrollRunViewSet(HistoryMixin, AuditedChannelMixin, UpdateSerializerMixin, ServiceViewSet):
    """Payroll runs (provider × country × period). Creating one creates an entry for each active
    worker the provider employs in that country."""

    scope_family = Scope.PAYROLL
    serializer_class = PayrollRunSerializer
    update_serializer_class = PayrollRunUpdateSerializer
    filterset_class = PayrollRunFilterSet
    selector = selectors.payroll_run_list
    create_service = services.payroll_run_create
    update_service = services.payroll_run_update
    http_method_names = WRITE_METHODS


class _BulkUpsertMixin:
    bulk_service = None

    def _bulk(self, request):
        serializer = BulkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = type(self).bulk_service(actor=self.actor, items=serializer.validated_data["items"])
        counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
        for result in results:
            counts[result["action"]] += 1
        body = {
            "created": counts["create"],
            "updated": counts["update"],
            "unchanged": counts["unchanged"],
            "errors": counts["error"],
            "results": results,
        }
        return Response(body, status=status.HTTP_200_OK)


class PayrollEntryViewSet(
    HistoryMixin, AuditedChannelMixin, IfMatchUnderLockMixin, UpdateSerializerMixin, _BulkUpsertMixin, ServiceViewSet
):
    """Payroll entries (run × worker). Providers write; clients read their workers' entries.
    Moving an entry backwards (e.g. paid → processing) needs `reason`; `failed` needs
    `failure_reason`."""

    scope_family = Scope.PAYROLL
    serializer_class = PayrollEntrySerializer
    update_serializer_class = PayrollEntryUpdateSerializer
    filterset_class = PayrollEntryFilterSet
    selector = selectors.payroll_entry_list
    create_service = services.payroll_entry_create
    update_service = services.payroll_entry_update
    bulk_service = services.payroll_entries_upsert
    http_method_names = WRITE_METHODS

    @extend_schema(request=BulkRequestSerializer, responses=BulkResponseSerializer)
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        """Upsert up to 1,000 entries by `external_id` (or worker + run / period_start). Each item
        is applied or rejected on its own; the response has one result per item."""
        return self._bulk(request)


class ComplianceItemViewSet(
    HistoryMixin, AuditedChannelMixin, IfMatchUnderLockMixin, UpdateSerializerMixin, _BulkUpsertMixin, ServiceViewSet
):
    """Compliance items (worker × kind). Providers write; clients read their workers' items."""

    scope_family = Scope.COMPLIANCE
    serializer_class = ComplianceItemSerializer
    update_serializer_class = ComplianceItemUpdateSerializer
    filterset_class = ComplianceItemFilterSet
    selector = selectors.compliance_item_list
    create_service = services.compliance_item_create
    update_service = services.compliance_item_update
    bulk_service = services.compliance_items_upsert
    http_method_names = WRITE_METHODS

    @extend_schema(request=BulkRequestSerializer, responses=BulkResponseSerializer)
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        """Upsert up to 1,000 items by `external_id` (or worker + kind), one result per item."""
        return self._bulk(request)
