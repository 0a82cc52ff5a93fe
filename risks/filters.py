import django_filters

from outstaff.filters import BaseFilterSet

from .choices import FlagStatus, RiskCategory, Severity
from .models import RiskFlag
from .rules import RULES


class RiskFlagFilterSet(BaseFilterSet):
    """Shared by the risk page and `GET /api/v1/risk-flags/`."""

    category = django_filters.ChoiceFilter(choices=RiskCategory.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    status = django_filters.MultipleChoiceFilter(choices=FlagStatus.choices)
    # Every rule's code, so the filter (and the OpenAPI schema) lists them.
    rule_code = django_filters.ChoiceFilter(choices=sorted((code, rule.title) for code, rule in RULES.items()))
    worker = django_filters.UUIDFilter(field_name="worker_id")
    client = django_filters.UUIDFilter(field_name="client_id")
    provider = django_filters.UUIDFilter(field_name="provider_id")

    class Meta:
        model = RiskFlag
        fields = ["category", "severity", "status", "rule_code", "worker", "client", "provider"]
