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
    evidence = factory.LazyFunction(
        lambda: {
            "summary": "contractor working 40 h/week on a schedule set by the client since 2026-02-01",
            "facts": {"weekly_hours": 40},
            "observed": {},
            "sources": ["IRS common-law rules: behavioural control"],
        }
    )
    evidence_hash = factory.Sequence(lambda n: f"{n:064x}")
    first_seen_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)
