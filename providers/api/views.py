from accounts.choices import Scope
from outstaff.api.bulk import BulkUpsertMixin
from outstaff.api.history import HistoryMixin
from outstaff.api.pagination import CursorPagination
from outstaff.api.preview import RiskPreviewMixin
from outstaff.api.viewsets import ServiceViewSet

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


class ProviderPagination(CursorPagination):
    ordering = ("-created_at", "-organization_id")


class ProviderViewSet(HistoryMixin, ServiceViewSet):
    """Provider profiles. Clients read the directory; a provider reads and updates its own, and only
    it reads its profile's history (who at the provider changed its settings)."""

    scope_family = Scope.PROVIDERS
    serializer_class = ProviderSerializer
    filterset_class = ProviderFilterSet
    pagination_class = ProviderPagination
    selector = selectors.provider_list
    update_service = services.provider_update
    history_selector = selectors.provider_for_actor_list
    lookup_field = "organization_id"
    lookup_url_kwarg = "id"


class LegalEntityViewSet(HistoryMixin, ServiceViewSet):
    """A provider's legal entities per country. Clients read those of their workers' providers."""

    scope_family = Scope.PROVIDERS
    serializer_class = LegalEntitySerializer
    filterset_class = LegalEntityFilterSet
    selector = selectors.legal_entity_list
    create_service = services.legal_entity_create
    update_service = services.legal_entity_update


class ContractViewSet(HistoryMixin, RiskPreviewMixin, BulkUpsertMixin, ServiceViewSet):
    """Employment contracts. Providers write their own; clients read their workers' contracts.
    A contract is stored as the HR system holds it (engagement model `unspecified`, a contractor at
    full-time hours, unsigned) and the risk scan flags it. `POST …/bulk/` upserts up to 1,000
    contracts by `external_id`."""

    scope_family = Scope.CONTRACTS
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    selector = selectors.contract_list
    create_service = services.contract_create
    update_service = services.contract_update
    bulk_service = services.contracts_upsert


class PayrollRunViewSet(HistoryMixin, ServiceViewSet):
    """Payroll runs (provider × country × period). Creating one creates an entry for each active
    worker the provider employs in that country."""

    scope_family = Scope.PAYROLL
    serializer_class = PayrollRunSerializer
    update_serializer_class = PayrollRunUpdateSerializer
    filterset_class = PayrollRunFilterSet
    selector = selectors.payroll_run_list
    create_service = services.payroll_run_create
    update_service = services.payroll_run_update


class PayrollEntryViewSet(HistoryMixin, BulkUpsertMixin, ServiceViewSet):
    """Payroll entries (run × worker). Providers write; clients read their workers' entries.
    Moving an entry backwards (e.g. paid → processing) needs `reason`; `failed` needs
    `failure_reason`. `POST …/bulk/` upserts up to 1,000 entries by `external_id` (or worker +
    run / period_start)."""

    scope_family = Scope.PAYROLL
    serializer_class = PayrollEntrySerializer
    update_serializer_class = PayrollEntryUpdateSerializer
    filterset_class = PayrollEntryFilterSet
    selector = selectors.payroll_entry_list
    list_select_related = ("run",)
    create_service = services.payroll_entry_create
    update_service = services.payroll_entry_update
    bulk_service = services.payroll_entries_upsert


class ComplianceItemViewSet(HistoryMixin, BulkUpsertMixin, ServiceViewSet):
    """Compliance items (worker × kind). Providers write; clients read their workers' items.
    `POST …/bulk/` upserts up to 1,000 items by `external_id` (or worker + kind)."""

    scope_family = Scope.COMPLIANCE
    serializer_class = ComplianceItemSerializer
    update_serializer_class = ComplianceItemUpdateSerializer
    filterset_class = ComplianceItemFilterSet
    selector = selectors.compliance_item_list
    create_service = services.compliance_item_create
    update_service = services.compliance_item_update
    bulk_service = services.compliance_items_upsert
