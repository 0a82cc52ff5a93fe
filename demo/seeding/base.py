"""The seeding plumbing: find a row by its natural key, create it (through the owning app's
service where one exists) or bring it in step with the seed, and count what changed."""

import calendar
import datetime as dt
import zlib
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import models

from accounts.models import Organization, User
from accounts.selectors import actor_for_user
from assignments.models import Team
from demo import DEMO_PASSWORD
from outstaff.model_update import model_set
from outstaff.signals import ResourceChange
from providers.models import LegalEntity, Provider
from screening.models import ScreeningTemplate
from workers.models import Worker

GATE_OVERRIDE_REASON = (
    "Urgent backfill agreed with the team lead; the structured interview is scheduled for after the start date."
)


@dataclass
class SeedResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)  # workers left as they are, and why
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


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
    for floor, level in ((71, "C2"), (61, "C1"), (51, "B2"), (41, "B1"), (31, "A2"), (21, "A1")):
        if score >= floor:
            return level
    return "A0"


class Upserter:
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
        self.created_rows: set[tuple] = set()
        # What the seed wrote itself (rows a service wrote announced themselves), for the events.
        self.changes: list[ResourceChange] = []
        self._password_hash: str | None = None
        self._cache: dict[tuple, dict[tuple, models.Model]] = {}

    def preload(self, queryset, key_fields: tuple[str, ...]) -> None:
        """Fetch the demo's existing rows of a model in one query, so `upsert` with a lookup on
        exactly `key_fields` need not query row by row (a second run then takes a fraction of a second)."""
        model = queryset.model
        attnames = [model._meta.get_field(name).attname for name in key_fields]
        self._cache[(model, key_fields)] = {tuple(getattr(obj, a) for a in attnames): obj for obj in queryset}

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
                changed = self._assign(obj, values)
                if changed:
                    self._validate(obj)
                    obj.save()
                    self.changes.append(ResourceChange.of(obj, "updated", changed))
            else:
                obj = model(**lookup, **values)
                self._validate(obj)
                obj.save()
                self.changes.append(ResourceChange.of(obj, "created"))
            if cache is not None:
                cache[key] = obj
            self.result.created[label] += 1
            self.created_rows.add((model, obj.pk))
        elif changed := self._assign(obj, values):
            self._validate(obj)
            obj.save()
            self.changes.append(ResourceChange.of(obj, "updated", changed))
            # A row this run created and now completes is reported as created only.
            if (model, obj.pk) not in self.created_rows:
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
            self.created_rows.add((model, child.pk))
        return parent

    @staticmethod
    def _validate(obj: models.Model) -> None:
        """full_clean() of every field (choices, lengths, validators), minus the checks PostgreSQL
        repeats on save anyway: related rows exist and unique/check/exclusion constraints hold.
        Django runs those as one query (and a savepoint) each, which tripled the seed time."""
        relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
        obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)

    @staticmethod
    def _assign(obj: models.Model, values: dict) -> list[str]:
        return model_set(instance=obj, fields=values, data=values)

    @property
    def password_hash(self) -> str:
        # One hash shared by every demo user: hashing a dozen passwords would dominate the seed time.
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def _client_admin(self, client_slug: str) -> User:
        return self.users[f"admin@{client_slug}.example"]

    def _client_actor(self, client_slug: str):
        return actor_for_user(user=self._client_admin(client_slug), organization_id=self.orgs[client_slug].pk)

    def _changes(self) -> int:
        return sum(self.result.created.values()) + sum(self.result.updated.values()) + sum(self.result.deleted.values())
