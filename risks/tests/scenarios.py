"""Database scenarios shared by the scan, API and page tests: the cases the demo also plants."""

import datetime as dt
from decimal import Decimal

from accounts.tests.factories import UserFactory
from assignments.tests.factories import AssignmentFactory
from providers.tests.factories import EmploymentContractFactory, LegalEntityFactory
from workers.tests.factories import WorkerFactory

TODAY = dt.date(2026, 6, 1)


def licensed_entity(provider, country="DE"):
    return LegalEntityFactory(provider=provider, country=country, staffing_licence_number="DE-AÜG-1")


def contractor_directed_full_time(*, client=None, provider=None, hours="40", country="GB", **worker_kwargs):
    """A contractor at 40 h/week on a schedule set by the client (GB: no licence or cap involved)."""
    kwargs = {k: v for k, v in (("client", client), ("provider", provider)) if v is not None}
    worker = WorkerFactory(country=country, start_date=dt.date(2025, 1, 10), **kwargs, **worker_kwargs)
    entity = LegalEntityFactory(provider=worker.provider, country=country)
    EmploymentContractFactory(
        worker=worker, legal_entity=entity, contract_type="contractor", starts_on=dt.date(2026, 2, 1)
    )
    assignment = AssignmentFactory(
        worker=worker,
        starts_on=dt.date(2026, 2, 1),
        weekly_hours=Decimal(hours),
        schedule_set_by_client=True,
        manager=UserFactory(),
    )
    return worker, assignment
