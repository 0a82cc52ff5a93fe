"""Builders of in-memory worker facts for testing rules without a database."""

import datetime as dt
import uuid
from dataclasses import replace
from decimal import Decimal

from jurisdictions import jurisdiction_for
from risks.rules.facts import (
    AssignmentFact,
    CheckInFact,
    ComplianceItemFact,
    ContractFact,
    LegalEntityFact,
    PayrollEntryFact,
    ScreeningFact,
    WorkerFact,
    WorkerFacts,
)

TODAY = dt.date(2026, 6, 1)
CLIENT_ID = uuid.UUID(int=1)
PROVIDER_ID = uuid.UUID(int=2)


def worker(**overrides) -> WorkerFact:
    values = {
        "id": uuid.uuid4(),
        "full_name": "Ada Lovelace",
        "work_email": "ada@example.test",
        "client_id": CLIENT_ID,
        "client_name": "Acme",
        "provider_id": PROVIDER_ID,
        "provider_name": "EoR One",
        "country": "DE",
        "status": "active",
        "start_date": dt.date(2026, 1, 15),
    }
    values.update(overrides)
    return WorkerFact(**values)


def assignment(worker_fact: WorkerFact, **overrides) -> AssignmentFact:
    values = {
        "id": uuid.uuid4(),
        "worker_id": worker_fact.id,
        "client_id": worker_fact.client_id,
        "client_name": worker_fact.client_name,
        "provider_id": worker_fact.provider_id,
        "provider_name": worker_fact.provider_name,
        "starts_on": dt.date(2026, 2, 1),
        "ends_on": None,
        "weekly_hours": Decimal("40"),
        "directed_by": "client",
        "schedule_set_by_client": False,
        "status": "active",
        "role": "Engineer",
        "team_name": "Core",
        "manager_id": uuid.uuid4(),
        "manager_name": "Grace Hopper",
    }
    values.update(overrides)
    return AssignmentFact(**values)


def contract(**overrides) -> ContractFact:
    values = {
        "id": uuid.uuid4(),
        "provider_id": PROVIDER_ID,
        "contract_type": "employment",
        "engagement_model": "outstaffing",
        "signed_on": dt.date(2026, 1, 5),
        "starts_on": dt.date(2026, 1, 15),
        "ends_on": None,
        "weekly_hours": Decimal("40"),
        "legal_entity_country": "DE",
    }
    values.update(overrides)
    return ContractFact(**values)


def entity(**overrides) -> LegalEntityFact:
    values = {
        "id": uuid.uuid4(),
        "name": "EoR One GmbH",
        "country": "DE",
        "is_active": True,
        "staffing_licence_number": "AÜG-123",
        "staffing_licence_expires_on": None,
    }
    values.update(overrides)
    return LegalEntityFact(**values)


def facts(*, today=TODAY, worker_fact=None, assignments=None, person_assignments=None, **overrides) -> WorkerFacts:
    """A healthy German worker by default: signed employment contract, client-directed 40 h assignment,
    licensed entity, check-ins done, first payroll paid. Override to make a rule fire."""
    worker_fact = worker_fact or worker()
    assignments = assignments if assignments is not None else [assignment(worker_fact)]
    values = {
        "today": today,
        "worker": worker_fact,
        "jurisdiction": jurisdiction_for(worker_fact.country, worker_fact.subdivision),
        "assignments": tuple(assignments),
        "person_assignments": tuple(person_assignments if person_assignments is not None else assignments),
        "contracts": (contract(),),
        "legal_entities": (entity(),),
        "payroll_entries": (PayrollEntryFact(id=uuid.uuid4(), status="paid", pay_date=dt.date(2026, 2, 28)),),
        "compliance_items": (ComplianceItemFact(kind="right_to_work", status="verified"),),
        "check_ins": tuple(
            CheckInFact(
                kind=k,
                due_on=worker_fact.start_date + dt.timedelta(days=d),
                done_on=worker_fact.start_date + dt.timedelta(days=d),
                ratings={"engagement": 4},
            )
            for k, d in (("day_30", 30), ("day_60", 60), ("day_90", 90))
        )
        if worker_fact.start_date
        else (),
        "screenings": (
            ScreeningFact(
                id=uuid.uuid4(),
                status="passed",
                composite_score=Decimal("78"),
                pass_threshold=Decimal("60"),
                override_reason="",
                decided_at=None,
            ),
        ),
    }
    values.update(overrides)
    return WorkerFacts(**values)


def new_worker_facts(days_in: int = 35, **overrides) -> WorkerFacts:
    """A worker `days_in` days after start, every check-in so far done."""
    start = TODAY - dt.timedelta(days=days_in)
    worker_fact = worker(start_date=start)
    base = facts(worker_fact=worker_fact, assignments=[assignment(worker_fact, starts_on=start)])
    overrides.setdefault("check_ins", tuple(c for c in base.check_ins if c.due_on < TODAY))
    return replace(base, **overrides)
