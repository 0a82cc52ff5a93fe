"""Builds the demo world described in demo/data.py, idempotently.

Every row is found by its natural key (slug, e-mail, provider + external_id, worker + kind, ...)
and written only when it is missing or differs from the seed, so a second run on the same day
changes nothing, and a run on a later day moves the relative dates forward so the demo stays current.

Writes go through the existing services where they exist (`accounts.services.organization_create`,
`user_create`, `membership_create`; `workers.services.worker_create`). Provider profiles, legal
entities, contracts, payroll, compliance items, check-ins, candidates, screenings, teams and
assignments are written with the ORM after `full_clean()`: their services were being written in
parallel, and for seed data validated ORM writes are an acceptable shortcut. The onboarding gate is
never bypassed silently: every worker past onboarding has a passed screening, or a client admin's
override with its written reason recorded on the worker.
"""

import calendar
import datetime as dt
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from accounts.models import Membership, Organization, User
from accounts.selectors import actor_for_user
from accounts.services import membership_create, organization_create, user_create
from assignments.choices import AssignmentStatus, DirectedBy
from assignments.models import Assignment, Team
from assignments.services import team_create
from outstaff.signals import send_worker_changed_on_commit
from providers.choices import ComplianceKind, ComplianceStatus, PayrollEntryStatus, PayrollRunStatus
from providers.models import ComplianceItem, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider
from screening.choices import (
    CEFR_SKILLS,
    AssessmentKind,
    AssessmentScale,
    ChecklistCode,
    Recommendation,
    ScreeningStage,
    ScreeningStatus,
)
from screening.models import (
    AssessmentResult,
    Candidate,
    ChecklistItem,
    InterviewScorecard,
    Screening,
    ScreeningTemplate,
)
from screening.services import (
    candidate_create,
    screening_create,
    screening_scores_refresh,
    screening_templates_install_defaults,
)
from workers.choices import CHECKIN_DAY_OFFSETS, WorkerStatus
from workers.models import CheckIn, Worker
from workers.services import worker_activate, worker_create, worker_gate_override, worker_offboard

from . import DEMO_PASSWORD, data

GATE_OVERRIDE_REASON = (
    "Urgent backfill agreed with the team lead; the structured interview is scheduled for after the start date."
)


@dataclass
class SeedResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (earlier if negative), clamped to the end of a shorter month."""
    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    return day.replace(
        year=year, month=month_index + 1, day=min(day.day, calendar.monthrange(year, month_index + 1)[1])
    )


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)


def _stable_int(text: str) -> int:
    """A number that depends only on `text`, so varied-looking data is the same on every run."""
    return zlib.crc32(text.encode())


def cefr_for_efset(score: int) -> str:
    """EF SET 0–100 to CEFR (DESIGN §7)."""
    for floor, level in ((71, "C2"), (61, "C1"), (51, "B2"), (41, "B1"), (31, "A2")):
        if score >= floor:
            return level
    return "A1"


@transaction.atomic
def demo_seed(*, today: dt.date | None = None) -> SeedResult:
    """Create or refresh the demo data; returns what was created and updated, per model."""
    started = time.monotonic()
    seeder = _Seeder(today or timezone.localdate())
    seeder.run()
    seeder.result.seconds = time.monotonic() - started
    return seeder.result


class _Seeder:
    def __init__(self, today: dt.date):
        self.today = today
        self.result = SeedResult()
        self.orgs: dict[str, Organization] = {}
        self.users: dict[str, User] = {}
        self.providers: dict[str, Provider] = {}
        self.entities: dict[tuple[str, str], LegalEntity] = {}
        self.teams: dict[tuple[str, str], Team] = {}
        self.templates: dict[tuple[str, bool], ScreeningTemplate] = {}
        self.touched_workers: set = set()
        self.created_workers: set = set()
        self._password_hash: str | None = None
        self._cache: dict[tuple, dict[tuple, models.Model]] = {}

    def preload(self, queryset, key_fields: tuple[str, ...]) -> None:
        """Fetch the demo's existing rows of a model in one query, so `upsert` with a lookup on
        exactly `key_fields` need not query row by row (a second run then takes a fraction of a second)."""
        model = queryset.model
        attnames = [model._meta.get_field(name).attname for name in key_fields]
        self._cache[(model, key_fields)] = {tuple(getattr(obj, a) for a in attnames): obj for obj in queryset}

    # -- plumbing -----------------------------------------------------------------------------

    def upsert(self, model, lookup: dict, values: dict, *, create=None, worker_id=None):
        """The row matching `lookup`, created (through `create()` when a service exists) or updated
        so that it holds `values`; saved only when something differs."""
        label = model._meta.label
        cache = self._cache.get((model, tuple(lookup)))
        key = tuple(value.pk if isinstance(value, models.Model) else value for value in lookup.values())
        obj = cache.get(key) if cache is not None else model.objects.filter(**lookup).first()
        if obj is None:
            if create is not None:
                obj = create()
                if self._assign(obj, values):
                    self._validate(obj)
                    obj.save()
            else:
                obj = model(**lookup, **values)
                self._validate(obj)
                obj.save()
            if cache is not None:
                cache[key] = obj
            self.result.created[label] += 1
        elif self._assign(obj, values):
            self._validate(obj)
            obj.save()
            self.result.updated[label] += 1
        else:
            return obj
        if worker_id is not None or model is Worker:
            self.touched_workers.add(worker_id or obj.pk)
        return obj

    def _remember_children(self, parent, model, key_fields: tuple[str, str]):
        """Put the rows a service created alongside `parent` (check-ins of a new worker, the
        checklist of a new screening) into the preloaded cache, so `upsert` updates them."""
        parent_field, child_key = key_fields
        cache = self._cache[(model, key_fields)]
        attname = model._meta.get_field(child_key).attname
        for child in model.objects.filter(**{parent_field: parent}):
            cache[(parent.pk, getattr(child, attname))] = child
        return parent

    @staticmethod
    def _validate(obj: models.Model) -> None:
        """full_clean() of every field (choices, lengths, validators), minus the checks PostgreSQL
        repeats on save anyway: related rows exist and unique/check/exclusion constraints hold.
        Django runs those as one query (and a savepoint) each, which tripled the seed time."""
        relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
        obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)

    @staticmethod
    def _assign(obj: models.Model, values: dict) -> bool:
        changed = False
        for name, value in values.items():
            model_field = obj._meta.get_field(name)
            if model_field.is_relation:
                current, new = getattr(obj, model_field.attname), (value.pk if value is not None else None)
            else:
                current, new = getattr(obj, name), value
            if current != new:
                setattr(obj, name, value)
                changed = True
        return changed

    @property
    def password_hash(self) -> str:
        # One hash shared by every demo user: hashing a dozen passwords would dominate the seed time.
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def run(self) -> None:
        self.seed_organizations()
        self.seed_users()
        self.seed_providers()
        self.seed_teams()
        self.seed_screening_templates()
        self.preload_worker_rows()
        for spec in data.WORKERS:
            self.seed_worker(spec)
        self.seed_payroll()
        self.seed_pipeline_candidates()
        # Workers created by worker_create already announced themselves; tell risks and webhooks about
        # the other workers whose rows changed, once each, after commit.
        for worker_id in self.touched_workers - self.created_workers:
            send_worker_changed_on_commit(worker_id=worker_id, source="demo.seed_demo")

    # -- organizations and people -------------------------------------------------------------

    def seed_organizations(self) -> None:
        for spec in [*data.CLIENTS, *data.PROVIDERS]:
            kind = data.ORGANIZATION_KINDS[spec["slug"]]
            self.orgs[spec["slug"]] = self.upsert(
                Organization,
                {"slug": spec["slug"]},
                {"name": spec["name"], "kind": kind, "country": spec["country"], "is_active": True},
                create=lambda spec=spec, kind=kind: organization_create(
                    name=spec["name"], slug=spec["slug"], kind=kind, country=spec["country"]
                ),
            )

    def seed_users(self) -> None:
        for spec in data.USERS:

            def create(spec=spec):
                user = user_create(
                    email=spec.email, password=None, first_name=spec.first_name, last_name=spec.last_name
                )
                user.password = self.password_hash
                user.save(update_fields=["password"])
                return user

            user = self.upsert(
                User,
                {"email": spec.email},
                {
                    "username": spec.email,
                    "first_name": spec.first_name,
                    "last_name": spec.last_name,
                    "is_active": True,
                    "is_staff": spec.superuser,
                    "is_superuser": spec.superuser,
                },
                create=create,
            )
            if not user.has_usable_password():
                user.password = self.password_hash
                user.save(update_fields=["password"])
                self.result.updated[User._meta.label] += 1
            self.users[spec.email] = user
            if spec.organization:
                organization = self.orgs[spec.organization]
                self.upsert(
                    Membership,
                    {"user": user, "organization": organization},
                    {"role": spec.role},
                    create=lambda user=user, organization=organization, spec=spec: membership_create(
                        user=user, organization=organization, role=spec.role
                    ),
                )

    def seed_providers(self) -> None:
        for spec in data.PROVIDERS:
            self.providers[spec["slug"]] = self.upsert(
                Provider,
                {"organization": self.orgs[spec["slug"]]},
                {"legal_name": spec["legal_name"], "website": spec["website"], "headquarters_country": spec["country"]},
            )
        for spec in data.LEGAL_ENTITIES:
            expires = (
                self.today + dt.timedelta(days=spec.licence_expires_in_days)
                if spec.licence_expires_in_days is not None
                else None
            )
            self.entities[(spec.provider, spec.country)] = self.upsert(
                LegalEntity,
                {
                    "provider": self.providers[spec.provider],
                    "country": spec.country,
                    "registration_number": spec.registration_number,
                },
                {
                    "name": spec.name,
                    "staffing_licence_number": spec.licence_number,
                    "staffing_licence_expires_on": expires,
                    "is_active": True,
                },
            )

    def seed_teams(self) -> None:
        for (client_slug, name), manager_emails in data.TEAMS.items():
            client = self.orgs[client_slug]
            managers = [self.users[email] for email in manager_emails]
            external_id = data.TEAM_EXTERNAL_IDS[(client_slug, name)]

            def create(client=client, name=name, external_id=external_id, managers=managers):
                actor = actor_for_user(user=self._client_admin(client.slug), organization_id=client.pk)
                return team_create(actor=actor, name=name, external_id=external_id, managers=managers)

            team = self.upsert(Team, {"client": client, "name": name}, {"external_id": external_id}, create=create)
            if {m.pk for m in team.managers.all()} != {m.pk for m in managers}:
                team.managers.set(managers)
                self.result.updated["assignments.Team.managers"] += 1
            self.teams[(client_slug, name)] = team

    def seed_screening_templates(self) -> None:
        for client in data.CLIENTS:
            for template in screening_templates_install_defaults(client=self.orgs[client["slug"]]):
                self.templates[(client["slug"], "support" in template.role_title.lower())] = template

    # -- one worker and everything about them -------------------------------------------------

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

    def _client_admin(self, client_slug: str) -> User:
        return self.users[f"admin@{client_slug}.example"]

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
            self.result.updated[Worker._meta.label] += 1
        if exit_date is not None and worker.status != WorkerStatus.OFFBOARDED:
            worker = worker_offboard(
                actor=client_admin,
                worker=worker,
                exit_date=exit_date,
                exit_reason=spec.exit_reason,
                exit_notes=spec.exit_notes,
            )
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

    def _client_actor(self, client_slug: str):
        return actor_for_user(user=self._client_admin(client_slug), organization_id=self.orgs[client_slug].pk)

    def _candidate_and_screening(self, *, client_slug, key, first, last, email, country, support, worker=None):
        """A candidate and their screening, created through the screening services (which attach the
        pre-onboarding checklist) and kept in step with the seed afterwards."""
        client = self.orgs[client_slug]
        template = self.templates[(client_slug, support)]
        worker_id = worker.pk if worker is not None else None
        candidate = self.upsert(
            Candidate,
            {"client": client, "external_id": f"CAND-{key}"},
            {"first_name": first, "last_name": last, "email": email, "country": country, "worker": worker},
            create=lambda: candidate_create(
                actor=self._client_actor(client_slug),
                first_name=first,
                last_name=last,
                email=email,
                country=country,
                external_id=f"CAND-{key}",
            ),
            worker_id=worker_id,
        )
        screening = self.upsert(
            Screening,
            {"client": client, "external_id": f"SCR-{key}"},
            {"candidate": candidate, "template": template},
            create=lambda: self._remember_children(
                screening_create(
                    actor=self._client_actor(client_slug),
                    candidate=candidate,
                    template=template,
                    provider=None,
                    external_id=f"SCR-{key}",
                ),
                ChecklistItem,
                ("screening", "code"),
            ),
            worker_id=worker_id,
        )
        return candidate, screening

    def seed_screening(self, spec: data.WorkerSpec, worker: Worker, start: dt.date, manager: User) -> None:
        """A passed screening whose scores add up: scorecard and assessments aimed at the worker's
        target composite, the composite computed by the screening service, the checklist ticked."""
        _, screening = self._candidate_and_screening(
            client_slug=spec.client,
            key=spec.key,
            first=spec.first_name,
            last=spec.last_name,
            email=f"{spec.first_name}.{spec.last_name}@mail.example".lower(),
            country=spec.country,
            support=spec.is_support,
            worker=worker,
        )
        passed = spec.gate == "passed"
        decided_at = at_noon(start - dt.timedelta(days=12))
        admin = self._client_admin(spec.client)
        changed = self._changes()
        self.upsert(
            Screening,
            {"pk": screening.pk},
            {
                "provider": self.providers[spec.provider],
                "stage": ScreeningStage.DECISION if passed else ScreeningStage.INTERVIEW,
                "status": ScreeningStatus.PASSED if passed else ScreeningStatus.IN_PROGRESS,
                "decided_by": admin if passed else None,
                "decided_at": decided_at if passed else None,
                "decision_notes": "Concrete examples in the interview; assessments above the bar." if passed else "",
                "override_reason": spec.screening_override,
                "checklist_override_reason": (
                    "Hired with open checklist items: " + ", ".join(spec.checklist_open) + "."
                    if spec.checklist_open
                    else ""
                ),
            },
            worker_id=worker.pk,
        )
        for code in ChecklistCode.values:
            checked = passed and code not in spec.checklist_open
            self.upsert(
                ChecklistItem,
                {"screening": screening, "code": code},
                {
                    "checked": checked,
                    "checked_by": admin if checked else None,
                    "checked_at": decided_at - dt.timedelta(hours=2) if checked else None,
                },
                worker_id=worker.pk,
            )
        if passed:
            target = self._target_composite(spec)
            self.seed_scorecard(screening, manager, target, spec.key, at_noon(start - dt.timedelta(days=18)), worker.pk)
            self.seed_assessments(screening, target, spec.key, start - dt.timedelta(days=20), worker.pk)
        if self._changes() != changed or (passed and screening.composite_score is None):
            screening_scores_refresh(screening=screening)

    def _changes(self) -> int:
        return sum(self.result.created.values()) + sum(self.result.updated.values())

    @staticmethod
    def _target_composite(spec: data.WorkerSpec) -> Decimal:
        return spec.composite if spec.composite is not None else Decimal(70 + _stable_int(spec.key) % 16)

    def seed_scorecard(self, screening, interviewer, target: Decimal, key: str, submitted_at, worker_id) -> None:
        """Ratings whose mean lands near `target` on the 0–100 scale (1 → 0, 5 → 100)."""
        competencies = [
            item.get("competency", f"Competency {n}") for n, item in enumerate(screening.template.interview_kit, 1)
        ]
        mean = target / 25 + 1
        base = int(mean)
        raised = round((mean - base) * len(competencies))
        ratings = {name: min(5, base + (1 if n < raised else 0)) for n, name in enumerate(competencies)}
        self.upsert(
            InterviewScorecard,
            {"screening": screening, "interviewer": interviewer, "version": 1},
            {
                "ratings": ratings,
                "recommendation": Recommendation.STRONG_YES if base >= 4 else Recommendation.YES,
                "notes": "Answers gave the situation, the action and a measured outcome.",
                "submitted_at": submitted_at,
            },
            worker_id=worker_id,
        )

    def seed_assessments(self, screening, target: Decimal, key: str, taken_on: dt.date, worker_id) -> None:
        """One result per assessed method of the template, near `target`, and an EF SET language
        result whenever the template sets minimum CEFR levels."""
        for method in screening.template.methods:
            kind = method["method"]
            if kind not in AssessmentKind.values or kind == AssessmentKind.LANGUAGE:
                continue
            score = min(Decimal(100), target + _stable_int(key + kind) % 9 - 4)
            if kind == AssessmentKind.COGNITIVE:
                instrument, scale, low, high = "Criteria Cognitive Aptitude Test (CCAT)", AssessmentScale.CUSTOM, 0, 50
                raw = (score / 2).quantize(Decimal("1"))
            else:
                instrument = "Take-home work sample" if kind == AssessmentKind.WORK_SAMPLE else "Job knowledge test"
                scale, low, high, raw = AssessmentScale.PERCENT, 0, 100, score
            self.upsert(
                AssessmentResult,
                {"screening": screening, "kind": kind},
                {
                    "external_id": f"AR-{key}-{kind}",
                    "instrument": instrument,
                    "scale": scale,
                    "skill_scores": {},
                    "raw_score": Decimal(raw),
                    "scale_min": Decimal(low),
                    "scale_max": Decimal(high),
                    "normalized_score": (Decimal(raw - low) * 100 / Decimal(high - low)).quantize(Decimal("0.01")),
                    "taken_on": taken_on,
                },
                worker_id=worker_id,
            )
        if not screening.template.min_cefr:
            return
        skill_scores = {skill: 54 + _stable_int(key + skill) % 15 for skill in CEFR_SKILLS}
        mean = (Decimal(sum(skill_scores.values())) / len(skill_scores)).quantize(Decimal("0.01"))
        self.upsert(
            AssessmentResult,
            {"screening": screening, "kind": AssessmentKind.LANGUAGE},
            {
                "external_id": f"AR-{key}-language",
                "instrument": "EF SET English test",
                "scale": AssessmentScale.EFSET,
                "skill_scores": {skill: float(score) for skill, score in skill_scores.items()},
                "raw_score": mean,
                "scale_min": Decimal(0),
                "scale_max": Decimal(100),
                "normalized_score": mean,
                "taken_on": taken_on,
                **{f"cefr_{skill}": cefr_for_efset(score) for skill, score in skill_scores.items()},
            },
            worker_id=worker_id,
        )

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
        if start > self.today:
            return
        for number, (kind, offset) in enumerate(CHECKIN_DAY_OFFSETS.items()):
            due = start + dt.timedelta(days=offset)
            if (exit_date is not None and due > exit_date) or due > self.today + dt.timedelta(days=14):
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

    # -- payroll ------------------------------------------------------------------------------

    def seed_payroll(self) -> None:
        """Runs per provider and country for the last three months (completed) and this month
        (draft), with an entry for every worker under contract in the period."""
        contracts = list(
            EmploymentContract.objects.filter(external_id__startswith="CON-W-", provider__in=self.providers.values())
            .select_related("worker")
            .order_by("starts_on")
        )
        specs = {spec.key: spec for spec in data.WORKERS}
        first_entry_seen: set[str] = set()
        this_month = self.today.replace(day=1)
        for offset in (-3, -2, -1, 0):
            period_start = add_months(this_month, offset)
            period_end = month_end(period_start)
            completed = offset < 0
            paid = [
                c
                for c in contracts
                if c.starts_on <= period_end
                and (c.ends_on is None or c.ends_on >= period_start)
                and c.worker.external_id in specs
            ]
            runs: dict[tuple[str, str], PayrollRun] = {}
            for contract in paid:
                worker, spec = contract.worker, specs[contract.worker.external_id]
                run_key = (spec.provider, worker.country)
                if run_key not in runs:
                    runs[run_key] = self.upsert(
                        PayrollRun,
                        {
                            "provider": self.providers[spec.provider],
                            "country": worker.country,
                            "period_start": period_start,
                            "period_end": period_end,
                        },
                        {
                            "pay_date": period_end,
                            "status": PayrollRunStatus.COMPLETED if completed else PayrollRunStatus.DRAFT,
                            "external_id": f"PR-{spec.provider.upper()}-{worker.country}-{period_start:%Y%m}",
                        },
                    )
                failure = spec.payroll_failures.get(offset, "")
                if spec.first_payroll_failed and spec.key not in first_entry_seen:
                    failure = spec.first_payroll_failed
                first_entry_seen.add(spec.key)
                if not completed:
                    status = PayrollEntryStatus.SCHEDULED
                elif failure:
                    status = PayrollEntryStatus.FAILED
                else:
                    status = PayrollEntryStatus.PAID
                currency, gross = data.MONTHLY_GROSS[worker.country]
                gross = gross * (data.SUPPORT_PAY_FACTOR if spec.is_support else 1) * Decimal(spec.hours) / 40
                self.upsert(
                    PayrollEntry,
                    {"run": runs[run_key], "worker": worker},
                    {
                        "provider": self.providers[spec.provider],
                        "external_id": f"PE-{spec.key}-{period_start:%Y%m}",
                        "status": status,
                        "failure_reason": failure if status == PayrollEntryStatus.FAILED else "",
                        "paid_at": at_noon(period_end) if status == PayrollEntryStatus.PAID else None,
                        "gross_amount": gross.quantize(Decimal("0.01")),
                        "currency": currency,
                    },
                    worker_id=worker.pk,
                )

    # -- candidates still in the pipeline -----------------------------------------------------

    def seed_pipeline_candidates(self) -> None:
        for client_slug, key, first, last, email, country, support, stage, status in data.PIPELINE_CANDIDATES:
            _, screening = self._candidate_and_screening(
                client_slug=client_slug,
                key=key,
                first=first,
                last=last,
                email=email,
                country=country,
                support=support,
            )
            decided = status != ScreeningStatus.IN_PROGRESS
            self.upsert(
                Screening,
                {"pk": screening.pk},
                {
                    "stage": stage,
                    "status": status,
                    "decided_by": self._client_admin(client_slug) if decided else None,
                    "decided_at": at_noon(self.today - dt.timedelta(days=6)) if decided else None,
                    "decision_notes": {
                        ScreeningStatus.FAILED: "Work sample well below the bar; interview examples lacked outcomes.",
                        ScreeningStatus.WITHDRAWN: "Accepted another offer before the interview.",
                    }.get(status, ""),
                },
            )


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
