import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import ProviderOrgFactory
from providers.choices import ComplianceKind, ContractType, EngagementModel
from providers.models import ComplianceItem, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(ProviderOrgFactory)
    legal_name = factory.LazyAttribute(lambda o: f"{o.organization.name} Ltd")
    headquarters_country = "GB"


class LegalEntityFactory(DjangoModelFactory):
    class Meta:
        model = LegalEntity

    provider = factory.SubFactory(ProviderFactory)
    country = "DE"
    name = factory.LazyAttribute(lambda o: f"{o.provider.legal_name} {o.country}")
    registration_number = factory.Sequence(lambda n: f"HRB {100000 + n}")


class EmploymentContractFactory(DjangoModelFactory):
    class Meta:
        model = EmploymentContract

    worker = factory.SubFactory("workers.tests.factories.WorkerFactory")
    provider = factory.SelfAttribute("worker.provider")
    legal_entity = factory.SubFactory(
        LegalEntityFactory,
        provider=factory.SelfAttribute("..provider"),
        country=factory.SelfAttribute("..worker.country"),
    )
    contract_type = ContractType.EMPLOYMENT
    engagement_model = EngagementModel.OUTSTAFFING
    signed_on = dt.date(2026, 1, 5)
    starts_on = dt.date(2026, 1, 15)
    weekly_hours = Decimal("40.0")


class PayrollRunFactory(DjangoModelFactory):
    class Meta:
        model = PayrollRun

    provider = factory.SubFactory(ProviderFactory)
    country = "DE"
    period_start = factory.Sequence(lambda n: dt.date(2020, 1, 1) + dt.timedelta(days=31 * n))
    period_end = factory.LazyAttribute(lambda o: o.period_start + dt.timedelta(days=27))
    pay_date = factory.LazyAttribute(lambda o: o.period_end)


class PayrollEntryFactory(DjangoModelFactory):
    class Meta:
        model = PayrollEntry

    worker = factory.SubFactory("workers.tests.factories.WorkerFactory")
    provider = factory.SelfAttribute("worker.provider")
    run = factory.SubFactory(PayrollRunFactory, provider=factory.SelfAttribute("..provider"))


class ComplianceItemFactory(DjangoModelFactory):
    class Meta:
        model = ComplianceItem

    worker = factory.SubFactory("workers.tests.factories.WorkerFactory")
    provider = factory.SelfAttribute("worker.provider")
    kind = ComplianceKind.RIGHT_TO_WORK
