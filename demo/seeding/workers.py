"""One worker and everything about them: the worker (through the workers services, gate included),
contracts, assignments, compliance items and check-ins."""

import datetime as dt
from decimal import Decimal

from accounts.selectors import actor_for_user
from assignments.choices import AssignmentStatus, DirectedBy
from assignments.models import Assignment
from demo import data
from providers.choices import ComplianceKind, ComplianceStatus
from providers.models import ComplianceItem, EmploymentContract, PayrollEntry, PayrollRun
from screening.models import AssessmentResult, Candidate, ChecklistItem, InterviewScorecard, Screening
from workers.choices import CHECKIN_DAY_OFFSETS, WorkerStatus
from workers.models import CheckIn, Worker
from workers.services import worker_activate, worker_create, worker_gate_override, worker_offboard

from .base import GATE_OVERRIDE_REASON, _stable_int, add_months, at_noon
from .screening import ScreeningSeeding


class WorkerSeeding(ScreeningSeeding):
    def preload_worker_rows(self) -> None:
        providers = list(self.providers.values())
        clients = [self.orgs[c["slug"]] for c in data.CLIENTS]
        self.preload(Worker.objects.filter(provider__in=providers), ("provider", "external_id"))
        self.preload(Candidate.objects.filter(client__in=clients), ("client", "external_id"))
        self.preload(Screening.objects.filter(client__in=clients), ("client", "external_id"))
        self.preload(
            InterviewScorecard.objects.filter(screening__client__in=clients), ("screening", "interviewer", "version")
        )
        self.preload(AssessmentResult.objects.filter(screening__client__in=clients), ("screening", "kind"))
        self.preload(ChecklistItem.objects.filter(screening__client__in=clients), ("screening", "code"))
        self.preload(EmploymentContract.objects.filter(provider__in=providers), ("provider", "external_id"))
        self.preload(Assignment.objects.filter(client__in=clients), ("client", "external_id"))
        self.preload(ComplianceItem.objects.filter(provider__in=providers), ("worker", "kind"))
        self.preload(CheckIn.objects.filter(worker__provider__in=providers).exclude(kind="ad_hoc"), ("worker", "kind"))
        self.preload(
            PayrollRun.objects.filter(provider__in=providers), ("provider", "country", "period_start", "period_end")
        )
        self.preload(PayrollEntry.objects.filter(provider__in=providers), ("run", "worker"))

    def _start_date(self, spec: data.WorkerSpec) -> dt.date:
        if spec.start_months_ago is not None:
            return add_months(self.today, -spec.start_months_ago)
        return self.today - dt.timedelta(days=spec.start_days_ago)

    def seed_worker(self, spec: data.WorkerSpec) -> None:
        provider = self.providers[spec.provider]
        client = self.orgs[spec.client]
        team = self.teams[(spec.client, spec.team)]
        manager = self.users[data.TEAMS[(spec.client, spec.team)][0]]
        start = self._start_date(spec)
        exit_date = start + dt.timedelta(days=spec.exit_after_days) if spec.exit_after_days is not None else None
        personal = {
            "client": client,
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "work_email": f"{spec.first_name}.{spec.last_name}@{spec.client}.example".lower(),
            "country": spec.country,
            "subdivision": spec.subdivision,
            "timezone": spec.timezone or data.TIMEZONES[spec.country],
            "role_title": spec.role,
            "start_date": start,
        }

        def create():
            actor = actor_for_user(user=self.users[f"admin@{spec.provider}.example"], organization_id=provider.pk)
            worker = worker_create(actor=actor, provider=provider, external_id=spec.key, **personal)
            self.created_workers.add(worker.pk)
            # worker_create schedules the milestone check-ins; let upsert find them.
            return self._remember_children(worker, CheckIn, ("worker", "kind"))

        if (provider.pk, spec.key) in self._cache[(Worker, ("provider", "external_id"))]:
            # An existing worker's dates move together, or the start could pass the exit date.
            personal["exit_date"] = exit_date
        worker = self.upsert(Worker, {"provider": provider, "external_id": spec.key}, personal, create=create)

        # The gate first: a passed screening (or a client admin's written override), then the
        # workers' own services move the worker through onboarding → active → offboarded.
        self.seed_screening(spec, worker, start, manager)
        override = spec.gate == "override"
        client_admin = actor_for_user(user=self._client_admin(spec.client), organization_id=client.pk)
        if worker.status == WorkerStatus.ONBOARDING and start <= self.today:
            if override and not worker.gate_override_reason:
                worker = worker_gate_override(actor=client_admin, worker=worker, reason=GATE_OVERRIDE_REASON)
            worker = worker_activate(actor=client_admin, worker=worker)
            if worker.pk not in self.created_workers:
                self.result.updated[Worker._meta.label] += 1
        if exit_date is not None and worker.status != WorkerStatus.OFFBOARDED:
            worker = worker_offboard(
                actor=client_admin,
                worker=worker,
                exit_date=exit_date,
                exit_reason=spec.exit_reason,
                exit_notes=spec.exit_notes,
            )
            if worker.pk not in self.created_workers:
                self.result.updated[Worker._meta.label] += 1
        if exit_date is not None:
            status = WorkerStatus.OFFBOARDED
        elif start > self.today:
            status = WorkerStatus.ONBOARDING
        else:
            status = WorkerStatus.ACTIVE
        # Keeps later runs in step with the relative dates, and backdates the override to before
        # the start (the service stamps it with the time the seed ran).
        worker = self.upsert(
            Worker,
            {"pk": worker.pk},
            {
                "status": status,
                "exit_date": exit_date,
                "exit_reason": spec.exit_reason,
                "exit_notes": spec.exit_notes,
                "gate_override_reason": GATE_OVERRIDE_REASON if override else "",
                "gate_override_by": self._client_admin(spec.client) if override else None,
                "gate_override_at": at_noon(start - dt.timedelta(days=3)) if override else None,
            },
        )
        self.seed_contracts_and_assignments(spec, worker, team, manager, start, exit_date)
        self.seed_compliance(spec, worker, start)
        self.seed_check_ins(spec, worker, manager, start, exit_date)

    def _periods(self, spec: data.WorkerSpec, start: dt.date, exit_date: dt.date | None):
        """(key suffix, start, end) of each contract/assignment: one, or each placement."""
        if not spec.placements:
            return [("", start, exit_date)]
        periods = []
        for number, placement in enumerate(spec.placements, 1):
            begins = add_months(self.today, -placement.start_months_ago) - dt.timedelta(days=placement.extra_days)
            ends = add_months(self.today, -placement.end_months_ago) if placement.end_months_ago is not None else None
            periods.append((f"-{number}", begins, ends))
        return periods

    def seed_contracts_and_assignments(self, spec, worker, team, manager, start, exit_date) -> None:
        provider = self.providers[spec.provider]
        entity = self.entities[(spec.provider, spec.contract_entity_country or spec.country)]
        schedule_by_client = spec.is_support if spec.schedule_by_client is None else spec.schedule_by_client
        periods = self._periods(spec, start, exit_date)
        self._park_moving_assignments(worker, {f"ASG-{spec.key}{suffix}": (b, e) for suffix, b, e in periods})
        for suffix, begins, ends in periods:
            self.upsert(
                EmploymentContract,
                {"provider": provider, "external_id": f"CON-{spec.key}{suffix}"},
                {
                    "worker": worker,
                    "legal_entity": entity,
                    "contract_type": spec.contract_type,
                    "engagement_model": spec.engagement,
                    "signed_on": begins - dt.timedelta(days=14),
                    "starts_on": begins,
                    "ends_on": ends,
                    "weekly_hours": Decimal(spec.hours),
                },
                worker_id=worker.pk,
            )
            if begins > self.today:
                status = AssignmentStatus.PLANNED
            elif ends is not None and ends < self.today:
                status = AssignmentStatus.ENDED
            else:
                status = AssignmentStatus.ACTIVE
            self.upsert(
                Assignment,
                {"client": worker.client, "external_id": f"ASG-{spec.key}{suffix}"},
                {
                    "team": team,
                    "worker": worker,
                    "manager": manager,
                    "role": spec.role,
                    "starts_on": begins,
                    "ends_on": ends,
                    "weekly_hours": Decimal(spec.hours),
                    "directed_by": spec.directed_by,
                    "schedule_set_by_client": schedule_by_client,
                    "equipment_provided_by_client": spec.directed_by == DirectedBy.CLIENT and not spec.is_support,
                    "status": status,
                },
                worker_id=worker.pk,
            )

    def _park_moving_assignments(self, worker: Worker, wanted: dict) -> None:
        """Cancel, for a moment, the worker's assignments whose dates are about to move: the
        exclusion constraint ignores cancelled rows, so moving one placement past another never
        overlaps half-way. The upserts that follow set each status back."""
        cache = self._cache[(Assignment, ("client", "external_id"))]
        moving = [
            assignment
            for external_id, period in wanted.items()
            if (assignment := cache.get((worker.client_id, external_id))) is not None
            and (assignment.starts_on, assignment.ends_on) != period
        ]
        if len(wanted) > 1 and moving:
            Assignment.objects.filter(pk__in=[a.pk for a in moving]).update(status=AssignmentStatus.CANCELLED)
            for assignment in moving:
                assignment.status = AssignmentStatus.CANCELLED

    def seed_compliance(self, spec: data.WorkerSpec, worker: Worker, start: dt.date) -> None:
        provider = self.providers[spec.provider]
        verifier = self.users[data.COMPLIANCE_VERIFIERS[spec.provider]]
        kinds = list(data.ONBOARDING_COMPLIANCE_KINDS)
        if spec.country in data.LICENCE_CHECK_COUNTRIES:
            kinds.append(ComplianceKind.STAFFING_LICENCE_CHECK)
        not_started = start > self.today
        for kind in kinds:
            if kind in spec.compliance:
                status, expires_in = spec.compliance[kind]
            elif not_started and kind != ComplianceKind.EMPLOYMENT_CONTRACT_SIGNED:
                status, expires_in = ComplianceStatus.SUBMITTED, None
            else:
                status, expires_in = ComplianceStatus.VERIFIED, None
            checked = status in (ComplianceStatus.VERIFIED, ComplianceStatus.EXPIRED, ComplianceStatus.REJECTED)
            evidence = "" if status == ComplianceStatus.MISSING else f"DMS/{spec.provider}/{spec.key}/{kind}"
            notes = {
                ComplianceStatus.MISSING: "Requested from the worker; not received yet.",
                ComplianceStatus.REJECTED: "The registration number does not match the worker's ID document.",
                ComplianceStatus.EXPIRED: "Permit expired; renewal application not yet filed.",
            }.get(status, "")
            self.upsert(
                ComplianceItem,
                {"worker": worker, "kind": kind},
                {
                    "provider": provider,
                    "external_id": f"CMP-{spec.key}-{kind}",
                    "status": status,
                    "expires_on": self.today + dt.timedelta(days=expires_in) if expires_in is not None else None,
                    "evidence_reference": evidence,
                    "verified_by": verifier if checked else None,
                    "verified_at": at_noon(min(start, self.today) - dt.timedelta(days=4)) if checked else None,
                    "notes": notes,
                },
                worker_id=worker.pk,
            )

    def seed_check_ins(self, spec, worker, manager, start, exit_date) -> None:
        """The day-30/60/90 check-ins (worker_create schedules them): done with ratings once due,
        pending until then, and gone when the worker left before the milestone."""
        cache = self._cache[(CheckIn, ("worker", "kind"))]
        for number, (kind, offset) in enumerate(CHECKIN_DAY_OFFSETS.items()):
            due = start + dt.timedelta(days=offset)
            if exit_date is not None and due > exit_date:
                scheduled = cache.pop((worker.pk, kind), None)
                if scheduled is not None:
                    scheduled.delete()
                    self.result.deleted[CheckIn._meta.label] += 1
                continue
            planned = spec.check_ins.get(kind)
            if planned == "pending" or due >= self.today:
                done_on, ratings, notes = None, (None, None, None), ""
            elif isinstance(planned, tuple):
                done_on, ratings, notes = min(due + dt.timedelta(days=1), self.today), planned[:3], planned[3]
            else:
                wobble = _stable_int(f"{spec.key}{kind}")
                done_on = min(due + dt.timedelta(days=wobble % 3), self.today)
                ratings = (4 + wobble % 2, 4, 4 + (wobble >> 3) % 2)
                notes = ["Settling in well.", "Owns a stream of work now.", "Confident and well connected."][number]
            self.upsert(
                CheckIn,
                {"worker": worker, "kind": kind},
                {
                    "due_on": due,
                    "done_on": done_on,
                    "manager": manager,
                    "engagement": ratings[0],
                    "role_clarity": ratings[1],
                    "manager_relationship": ratings[2],
                    "notes": notes,
                },
                worker_id=worker.pk,
            )
