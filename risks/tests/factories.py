import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from risks.choices import RiskCategory, Severity
from risks.models import RiskFlag


class RiskFlagFactory(DjangoModelFactory):
    class Meta:
        model = RiskFlag

    worker = factory.SubFactory("workers.tests.factories.WorkerFactory")
    client = factory.SelfAttribute("worker.client")
    provider = factory.SelfAttribute("worker.provider")
    rule_code = "contractor_full_time_direction"
    category = RiskCategory.MISCLASSIFICATION
    severity = Severity.HIGH
    first_seen_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)
