"""Builds the demo world described in demo/data.py, idempotently.

Every row is found by its natural key (slug, e-mail, provider + external_id, worker + kind, ...)
and written only when it is missing or differs from the seed, so a second run on the same day
changes nothing, and a run on a later day moves the relative dates forward so the demo stays current.

Writes go through the owning app's services where they exist: organizations, users and memberships
(accounts), teams (assignments), candidates, screenings and default templates (screening), and the
worker's lifecycle — create, gate override, activate, offboard (workers) — so the onboarding gate is
held: every worker past onboarding has a passed screening or a client admin's written override.
Provider profiles, legal entities, contracts, payroll, compliance items, assignments, check-in
outcomes and screening details (scores, checklist, backdated decisions) are written with the ORM
after field validation: the seed needs backdated history those services rightly refuse, and
PostgreSQL enforces the constraints on save.
"""

import datetime as dt
import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership, Organization, User
from assignments.models import Assignment, Team
from outstaff.signals import record_resource_changes, send_workers_changed_on_commit
from providers.models import ComplianceItem, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider
from screening.models import (
    AssessmentResult,
    Candidate,
    ChecklistItem,
    InterviewScorecard,
    Screening,
    ScreeningTemplate,
)
from workers.models import CheckIn, Worker

from . import data
from .seeding.base import SeedResult, add_months
from .seeding.organizations import OrganizationSeeding
from .seeding.payroll import PayrollSeeding
from .seeding.workers import WorkerSeeding

__all__ = ["SeedResult", "add_months", "demo_counts", "demo_seed"]


@transaction.atomic
def demo_seed(*, today: dt.date | None = None) -> SeedResult:
    """Create or refresh the demo data; returns what was created and updated, per model."""
    started = time.monotonic()
    seeder = _Seeder(today or timezone.localdate())
    seeder.run()
    seeder.result.seconds = time.monotonic() - started
    return seeder.result


class _Seeder(OrganizationSeeding, WorkerSeeding, PayrollSeeding):
    def run(self) -> None:
        self.seed_organizations()
        self.seed_users()
        self.seed_providers()
        self.seed_teams()
        self.seed_screening_templates()
        self.preload_worker_rows()
        for spec in data.WORKERS:
            # Someone may have changed a demo worker in a way the seed cannot undo (e.g. a new
            # assignment overlapping a seeded one). Leave that worker as it is rather than fail:
            # `make run` seeds on every start.
            counts = [self.result.created.copy(), self.result.updated.copy(), self.result.deleted.copy()]
            changes = len(self.changes)
            try:
                with transaction.atomic():
                    self.seed_worker(spec)
            except (IntegrityError, ValidationError) as error:
                self.result.created, self.result.updated, self.result.deleted = counts
                del self.changes[changes:]
                self.result.skipped.append(f"{spec.key} {spec.first_name} {spec.last_name}: {error}")
        self.seed_payroll()
        self.seed_pipeline_candidates()
        # Workers created by worker_create already announced themselves; tell risks and webhooks about
        # the other workers whose rows changed, once each, after commit.
        worker_ids = self.touched_workers - self.created_workers
        if worker_ids:
            send_workers_changed_on_commit(worker_ids=worker_ids, source="demo.seed_demo", changes=self.changes)
        else:
            record_resource_changes(changes=self.changes)


def demo_counts() -> dict[str, int]:
    """How many rows of each kind exist, for the command's summary and the idempotency test."""
    tables = [
        Organization,
        User,
        Membership,
        Provider,
        LegalEntity,
        Team,
        Worker,
        EmploymentContract,
        Assignment,
        PayrollRun,
        PayrollEntry,
        ComplianceItem,
        CheckIn,
        Candidate,
        ScreeningTemplate,
        Screening,
        InterviewScorecard,
        AssessmentResult,
        ChecklistItem,
    ]
    return {model._meta.verbose_name_plural.capitalize(): model.objects.count() for model in tables}
