from rest_framework.routers import SimpleRouter

from .views import (
    ComplianceItemViewSet,
    ContractViewSet,
    LegalEntityViewSet,
    PayrollEntryViewSet,
    PayrollRunViewSet,
    ProviderViewSet,
)

router = SimpleRouter()
router.register("providers", ProviderViewSet, basename="provider")
router.register("legal-entities", LegalEntityViewSet, basename="legal-entity")
router.register("contracts", ContractViewSet, basename="contract")
router.register("payroll-runs", PayrollRunViewSet, basename="payroll-run")
router.register("payroll-entries", PayrollEntryViewSet, basename="payroll-entry")
router.register("compliance-items", ComplianceItemViewSet, basename="compliance-item")
urlpatterns = router.urls
