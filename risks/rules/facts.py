"""The facts a rule reads about one worker, loaded set-based for a whole batch by the scan (see
risks.services.scan_data). Plain frozen dataclasses: rules never touch the database, so each rule
is a pure function that tests can feed directly."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from uuid import UUID

from jurisdictions import Jurisdiction

ACTIVE_ASSIGNMENT_STATUSES = ("active", "planned")


@dataclass(frozen=True)
class WorkerFact:
    id: UUID
    full_name: str
    work_email: str
    client_id: UUID
    client_name: str
    provider_id: UUID
    provider_name: str
    country: str
    status: str
    start_date: dt.date | None = None
    exit_date: dt.date | None = None
    subdivision: str = ""
    role_title: str = ""
    gate_override_reason: str = ""
    gate_override_at: dt.datetime | None = None


@dataclass(frozen=True)
class AssignmentFact:
    id: UUID
    worker_id: UUID
    client_id: UUID
    client_name: str
    provider_id: UUID
    provider_name: str
    starts_on: dt.date
    ends_on: dt.date | None
    weekly_hours: Decimal
    directed_by: str
    schedule_set_by_client: bool
    status: str
    role: str = ""
    team_name: str = ""
    manager_id: UUID | None = None
    manager_name: str = ""

    def is_active_on(self, day: dt.date) -> bool:
        return (
            self.status in ACTIVE_ASSIGNMENT_STATUSES
            and self.starts_on <= day
            and (self.ends_on is None or self.ends_on >= day)
        )


@dataclass(frozen=True)
class ContractFact:
    id: UUID
    provider_id: UUID
    contract_type: str
    engagement_model: str
    signed_on: dt.date | None
    starts_on: dt.date
    ends_on: dt.date | None
    weekly_hours: Decimal
    legal_entity_country: str = ""

    def is_current_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


@dataclass(frozen=True)
class LegalEntityFact:
    id: UUID
    name: str
    country: str
    is_active: bool
    staffing_licence_number: str
    staffing_licence_expires_on: dt.date | None


@dataclass(frozen=True)
class PayrollEntryFact:
    id: UUID
    status: str
    pay_date: dt.date
    failure_reason: str = ""
    gross_amount: Decimal | None = None
    currency: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    @property
    def annualised_gross(self) -> Decimal | None:
        """The gross pay of this entry's period scaled to a year (a month's pay × 365 / its days)."""
        if self.gross_amount is None or self.period_start is None or self.period_end is None:
            return None
        days = (self.period_end - self.period_start).days + 1
        return (self.gross_amount * Decimal(365) / Decimal(days)).quantize(Decimal("0.01")) if days > 0 else None


@dataclass(frozen=True)
class ComplianceItemFact:
    kind: str
    status: str


@dataclass(frozen=True)
class CheckInFact:
    kind: str
    due_on: dt.date
    done_on: dt.date | None
    ratings: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ScreeningFact:
    id: UUID
    status: str
    composite_score: Decimal | None
    pass_threshold: Decimal | None
    override_reason: str
    decided_at: dt.datetime | None


@dataclass(frozen=True)
class WorkerFacts:
    """Everything the rules may know about one worker on `today`.

    `person_assignments` are the assignments of the same person across worker records (the same
    work e-mail, e.g. after a provider change created a new record), including this worker's own:
    tenure caps and dedication are about the person, not the record."""

    today: dt.date
    worker: WorkerFact
    jurisdiction: Jurisdiction
    assignments: tuple[AssignmentFact, ...] = ()
    person_assignments: tuple[AssignmentFact, ...] = ()
    contracts: tuple[ContractFact, ...] = ()
    legal_entities: tuple[LegalEntityFact, ...] = ()
    payroll_entries: tuple[PayrollEntryFact, ...] = ()
    compliance_items: tuple[ComplianceItemFact, ...] = ()
    check_ins: tuple[CheckInFact, ...] = ()
    screenings: tuple[ScreeningFact, ...] = ()
    # The provider's workers (not offboarded) in this worker's country: India's contract-labour
    # licence applies only from a headcount (OSH Code 2020).
    provider_headcount_in_country: int = 0

    # Computed once per worker (most rules read them; the facts and `today` never change after
    # construction, and `dataclasses.replace` builds a new instance with nothing cached).
    @cached_property
    def active_assignments(self) -> list[AssignmentFact]:
        return sorted((a for a in self.assignments if a.is_active_on(self.today)), key=lambda a: a.starts_on)

    def annual_earnings(self, currency: str) -> Decimal | None:
        """The latest payroll entry's gross pay in `currency`, scaled to a year; None when unknown."""
        entries = [e for e in self.payroll_entries if e.currency == currency and e.annualised_gross is not None]
        latest = max(entries, key=lambda e: e.pay_date, default=None)
        return latest.annualised_gross if latest else None

    @cached_property
    def current_contract(self) -> ContractFact | None:
        current = [c for c in self.contracts if c.is_current_on(self.today)]
        return max(current, key=lambda c: (c.starts_on, c.signed_on is not None), default=None)

    def shared(self, name: str, compute):
        """`compute(self)`, once per facts object, for rules that read the same computation (both
        tenure-cap rules count the same placements). Kept beside the fields, never compared."""
        memo = self.__dict__.setdefault("_shared", {})
        if name not in memo:
            memo[name] = compute(self)
        return memo[name]

    @property
    def is_offboarded(self) -> bool:
        return self.worker.status == "offboarded" or (
            self.worker.exit_date is not None and self.worker.exit_date < self.today
        )

    @property
    def days_since_start(self) -> int | None:
        if self.worker.start_date is None:
            return None
        return (self.today - self.worker.start_date).days


# The kinds of fact a WorkerFacts holds beyond the worker, its pack and the day: a rule's `reads`
# names them (or what is derived from them, below), and the scan loads a kind for a worker only when
# a rule that applies to the worker reads it (risks.rules.base.rules_for).
FACT_KINDS = frozenset(
    (
        "assignments",
        "person_assignments",
        "contracts",
        "legal_entities",
        "payroll_entries",
        "compliance_items",
        "check_ins",
        "screenings",
        "provider_headcount_in_country",
    )
)
DERIVED_FACTS = {
    "active_assignments": "assignments",
    "current_contract": "contracts",
    "annual_earnings": "payroll_entries",
}
