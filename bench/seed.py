"""Generated data at the scale of DESIGN §11 and issue #13: 100,000 workers across 20 clients and 10
providers in 30 countries, ~1.5 assignments a worker over three years, twelve months of payroll,
seven compliance items and the day-30/60/90 check-ins of every worker, then the flags a full risk
scan opens on them.

Deterministic: the same seed, worker count and as-of date give the same rows (ids included). The
big tables are written with PostgreSQL COPY, with triggers (the audit history) and foreign-key checks
off for the session: these rows are generated consistent and are not changes anyone made."""

import datetime as dt
import io
import json
import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

from accounts.choices import OrganizationKind, Role
from accounts.models import Membership, Organization, User
from assignments.models import Assignment, Team
from providers.models import (
    ComplianceItem,
    EmploymentContract,
    LegalEntity,
    PayrollEntry,
    PayrollRun,
    Provider,
)
from workers.models import CheckIn, Worker

COUNTRIES = (
    "DE", "PL", "GB", "US", "FR", "ES", "IT", "NL", "PT", "RO", "BG", "CZ", "HU", "SK", "SI",
    "HR", "LT", "LV", "EE", "IE", "SE", "DK", "FI", "AT", "BE", "GR", "UA", "RS", "IN", "BR",
)  # fmt: skip
# A long tail: a few countries hold most workers, as in a real provider network.
COUNTRY_WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in range(len(COUNTRIES))]
# Countries whose law requires a staffing licence of the employer of record (risks.jurisdictions).
LICENCE_COUNTRIES = {"DE", "PL", "FR", "NL", "BE", "AT"}
FIRST_NAMES = (
    "Anna", "Ben", "Chloé", "Dawid", "Elif", "Finn", "Greta", "Hugo", "Ines", "Jonas", "Kasia", "Luca",
    "Maja", "Nils", "Olga", "Pablo", "Queenie", "Rafał", "Sofia", "Tomás", "Ula", "Viktor", "Wiktoria",
    "Xavier", "Yara", "Zoltán", "Aoife", "Björn", "Carmen", "Dmytro",
)  # fmt: skip
LAST_NAMES = (
    "Schmidt", "Nowak", "Smith", "Johnson", "Martin", "García", "Rossi", "de Vries", "Silva", "Popescu",
    "Ivanova", "Novák", "Nagy", "Horváth", "Kovač", "Petrović", "Kazlauskas", "Bērziņš", "Tamm", "Murphy",
    "Andersson", "Nielsen", "Korhonen", "Gruber", "Peeters", "Papadopoulos", "Shevchenko", "Jovanović",
    "Sharma", "Santos",
)  # fmt: skip
ROLES = ("Backend engineer", "Support agent", "Data analyst", "QA engineer", "Designer", "Account manager")
COMPLIANCE_KINDS = (
    "employment_contract_signed",
    "right_to_work",
    "tax_registration",
    "social_security_registration",
    "benefits_enrolment",
    "background_check",
    "ip_assignment",
)
PASSWORD = "bench-password"  # nosec B105 - the bench users' password in a throw-away bench database, not a secret
PAYROLL_MONTHS = 12


@dataclass
class BenchData:
    """What the load run needs to find again: the logins and organizations it drives."""

    clients: list = field(default_factory=list)
    providers: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_rows(model: type[models.Model], rows: Iterable[dict], *, chunk: int = 50_000) -> int:
    """COPY `rows` (dicts keyed by attname) into the model's table; missing fields take their
    default. Returns the number of rows written."""
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = {f.attname: (f.get_default() if f.has_default() else None) for f in fields}
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    total = 0
    buffer = io.StringIO()
    pending = 0

    def flush() -> None:
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(statement, buffer)
        buffer.seek(0)
        buffer.truncate()

    for row in rows:
        buffer.write("\t".join(_copy_value(row.get(f.attname, defaults[f.attname])) for f in fields))
        buffer.write("\n")
        pending += 1
        total += 1
        if pending >= chunk:
            flush()
            pending = 0
    if pending:
        flush()
    return total


class _Ids:
    """Deterministic UUIDs from the seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def __call__(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)


def _weights(n: int, first: float, second: float | None = None) -> list[float]:
    """A share for the first (and second) organization, the rest split evenly."""
    fixed = [first] + ([second] if second is not None else [])
    rest = (1.0 - sum(fixed)) / (n - len(fixed))
    return fixed + [rest] * (n - len(fixed))


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _month_start(day: dt.date, back: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def _month_end(start: dt.date) -> dt.date:
    return _month_start(start, -1) - dt.timedelta(days=1)


def bench_seed(
    *,
    workers: int,
    seed: int = 13,
    today: dt.date | None = None,
    clients: int = 20,
    providers: int = 10,
    scan: bool = True,
    vacuum: bool = False,
    stdout=None,
) -> BenchData:
    """Write the generated data into the current (empty, migrated) database. Returns the logins."""
    today = today or timezone.localdate()
    rng = random.Random(seed)  # nosec B311 - deterministic generated bench data, not cryptography
    new_id = _Ids(rng)
    data = BenchData()
    say = (lambda text: stdout.write(text + "\n")) if stdout is not None else (lambda text: None)
    epoch = _at(today - dt.timedelta(days=3 * 365 + 30))
    password = make_password(PASSWORD)

    with connection.cursor() as cursor:
        # The rows are generated consistent: skip audit triggers and FK checks for this session.
        cursor.execute("SET session_replication_role = replica")
    try:
        # --- organizations, users, teams, legal entities (small: the ORM's bulk_create) -----------
        client_orgs = [
            Organization(
                id=new_id(),
                name=f"Client {i:02d} Bench",
                slug=f"bench-client-{i:02d}",
                kind=OrganizationKind.CLIENT,
                country=COUNTRIES[i % len(COUNTRIES)],
            )
            for i in range(clients)
        ]
        provider_orgs = [
            Organization(
                id=new_id(),
                name=f"Provider {i:02d} Bench",
                slug=f"bench-provider-{i:02d}",
                kind=OrganizationKind.PROVIDER,
                country=COUNTRIES[i % len(COUNTRIES)],
            )
            for i in range(providers)
        ]
        Organization.objects.bulk_create(client_orgs + provider_orgs)
        provider_rows = [
            Provider(organization=org, legal_name=f"{org.name} EOR Ltd", headquarters_country=org.country)
            for org in provider_orgs
        ]
        Provider.objects.bulk_create(provider_rows)

        # Most providers have an entity in most countries; a missing or unlicensed one is a flag.
        entities: dict[tuple, LegalEntity] = {}
        for p_index, org in enumerate(provider_orgs):
            for c_index, country in enumerate(COUNTRIES):
                if (p_index + c_index) % 11 == 5:  # ~9% of (provider, country) pairs: no entity
                    continue
                licensed = country in LICENCE_COUNTRIES and (p_index + c_index) % 7 != 0
                entities[(org.id, country)] = LegalEntity(
                    id=new_id(),
                    provider_id=org.id,
                    country=country,
                    name=f"{org.name} {country}",
                    registration_number=f"REG-{p_index:02d}-{country}",
                    staffing_licence_number=f"LIC-{p_index:02d}-{country}" if licensed else "",
                    staffing_licence_expires_on=today + dt.timedelta(days=400) if licensed else None,
                )
        LegalEntity.objects.bulk_create(entities.values())
        fallback_entity = {org.id: next(e for (p, _), e in entities.items() if p == org.id) for org in provider_orgs}

        users: list[User] = []
        memberships: list[Membership] = []

        def user(email: str, first: str, last: str) -> User:
            row = User(id=new_id(), username=email, email=email, first_name=first, last_name=last, password=password)
            users.append(row)
            return row

        client_weights = _weights(clients, 0.196, 0.05) if clients > 2 else [1.0 / clients] * clients
        provider_weights = _weights(providers, 0.22) if providers > 1 else [1.0]
        teams_by_client: dict = {}
        team_managers: list[tuple] = []
        for index, org in enumerate(client_orgs):
            admin = user(f"admin@client-{index:02d}.bench", "Admin", f"Client {index:02d}")
            memberships.append(Membership(user=admin, organization=org, role=Role.CLIENT_ADMIN))
            expected = workers * client_weights[index]
            team_count = max(3, int(expected // 400))
            hm_all = user(f"manager@client-{index:02d}.bench", "Hana", f"Manager {index:02d}")
            memberships.append(Membership(user=hm_all, organization=org, role=Role.HIRING_MANAGER))
            managers = [hm_all] + [
                user(f"manager{m}@client-{index:02d}.bench", "Marek", f"Manager {index:02d}-{m}")
                for m in range(1, max(2, team_count // 3))
            ]
            for manager in managers[1:]:
                memberships.append(Membership(user=manager, organization=org, role=Role.HIRING_MANAGER))
            teams = [
                Team(id=new_id(), client=org, name=f"Team {t:03d}", created_at=epoch, updated_at=epoch)
                for t in range(team_count)
            ]
            teams_by_client[org.id] = [(team, managers[1 + t % (len(managers) - 1)]) for t, team in enumerate(teams)]
            # The first manager of each client manages every team: the hiring manager's dashboard
            # of the 5,000-worker client covers all of it.
            team_managers += [(team.id, hm_all.id) for team in teams]
            team_managers += [(team.id, manager.id) for team, manager in teams_by_client[org.id]]
            data.clients.append({"id": str(org.id), "admin": admin.email, "manager": hm_all.email})
        for index, org in enumerate(provider_orgs):
            admin = user(f"admin@provider-{index:02d}.bench", "Admin", f"Provider {index:02d}")
            memberships.append(Membership(user=admin, organization=org, role=Role.PROVIDER_ADMIN))
            data.providers.append({"id": str(org.id), "admin": admin.email})
        User.objects.bulk_create(users)
        Membership.objects.bulk_create(memberships)
        Team.objects.bulk_create([team for rows in teams_by_client.values() for team, _ in rows])
        Team.managers.through.objects.bulk_create(
            [Team.managers.through(team_id=t, user_id=u) for t, u in sorted(set(team_managers))]
        )
        say(f"organizations: {clients} clients, {providers} providers, {len(entities)} legal entities")

        # --- workers and everything hanging off them (COPY) ---------------------------------------
        worker_rows: list[dict] = []
        for n in range(workers):
            client = rng.choices(client_orgs, client_weights)[0]
            provider = rng.choices(provider_orgs, provider_weights)[0]
            country = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if rng.random() < 0.02:
                start = today + dt.timedelta(days=rng.randint(1, 30))
            else:
                start = today - dt.timedelta(days=rng.randint(0, 3 * 365))
            exit_date = None
            elapsed = (today - start).days
            if elapsed > 45 and rng.random() < 0.15:
                exit_date = start + dt.timedelta(days=rng.randint(30, elapsed))
            if exit_date is not None:
                status = "offboarded"
            elif start > today or (elapsed < 14 and rng.random() < 0.5):
                status = "onboarding"
            else:
                status = "active"
            created = _at(min(start, today) - dt.timedelta(days=14))
            worker_rows.append(
                {
                    "id": new_id(),
                    "person_id": new_id(),
                    "created_at": created,
                    "updated_at": created,
                    "provider_id": provider.id,
                    "client_id": client.id,
                    "external_id": f"W{n:07d}",
                    "first_name": first,
                    "last_name": last,
                    "work_email": f"{first.lower()}.{n}@workers.bench",
                    "country": country,
                    "subdivision": "US-CA" if country == "US" and n % 4 == 0 else "",
                    "timezone": "UTC",
                    "role_title": rng.choice(ROLES),
                    "status": status,
                    "start_date": start,
                    "exit_date": exit_date,
                    "exit_reason": rng.choice(("voluntary", "involuntary", "end_of_assignment")) if exit_date else "",
                }
            )
        data.counts["workers"] = copy_rows(Worker, worker_rows)
        say(f"workers: {data.counts['workers']}")

        def contracts() -> Iterator[dict]:
            for w in worker_rows:
                contractor = rng.random() < 0.08
                entity = entities.get((w["provider_id"], w["country"])) or fallback_entity[w["provider_id"]]
                yield {
                    "id": new_id(),
                    "created_at": w["created_at"],
                    "updated_at": w["created_at"],
                    "provider_id": w["provider_id"],
                    "worker_id": w["id"],
                    "legal_entity_id": entity.id,
                    "contract_type": "contractor" if contractor else "employment",
                    "engagement_model": rng.choices(("outstaffing", "unspecified", "outsourcing"), (93, 4, 3))[0],
                    "signed_on": None if rng.random() < 0.02 else w["start_date"] - dt.timedelta(days=10),
                    "starts_on": w["start_date"],
                    "ends_on": w["exit_date"],
                    "weekly_hours": Decimal(rng.choice((20, 32, 40))) if contractor else Decimal(40),
                }

        data.counts["contracts"] = copy_rows(EmploymentContract, contracts())

        def assignments() -> Iterator[dict]:
            for w in worker_rows:
                teams = teams_by_client[w["client_id"]]
                begin = w["start_date"]
                last_day = w["exit_date"]
                while True:
                    end = begin + dt.timedelta(days=rng.randint(180, 900))
                    if last_day is not None and end >= last_day:
                        end = last_day
                    open_ended = last_day is None and end >= today and rng.random() < 0.7
                    ends_on = None if open_ended else end
                    if begin > today:
                        status = "planned"
                    elif ends_on is not None and ends_on < today:
                        status = "ended"
                    else:
                        status = "active"
                    team, manager = rng.choice(teams)
                    created = _at(min(begin, today) - dt.timedelta(days=7))
                    yield {
                        "id": new_id(),
                        "created_at": created,
                        "updated_at": created,
                        "client_id": w["client_id"],
                        "team_id": team.id,
                        "worker_id": w["id"],
                        "manager_id": None if rng.random() < 0.03 else manager.id,
                        "role": w["role_title"],
                        "starts_on": begin,
                        "ends_on": ends_on,
                        "weekly_hours": Decimal(40) if rng.random() < 0.9 else Decimal(rng.choice((16, 24, 32))),
                        "directed_by": "client" if rng.random() < 0.95 else "provider",
                        "schedule_set_by_client": rng.random() < 0.6,
                        "equipment_provided_by_client": rng.random() < 0.7,
                        "status": status,
                    }
                    if ends_on is None or ends_on >= today or (last_day is not None and ends_on >= last_day):
                        break
                    begin = ends_on + dt.timedelta(days=rng.randint(1, 60))
                    if begin > today or (last_day is not None and begin > last_day):
                        break

        data.counts["assignments"] = copy_rows(Assignment, assignments())
        say(f"assignments: {data.counts['assignments']}")

        # Payroll: one run per provider, country and month for the last twelve months; an entry
        # for every worker employed in the month.
        months = [_month_start(today, back) for back in range(PAYROLL_MONTHS - 1, -1, -1)]
        runs: dict[tuple, dict] = {}
        for w in worker_rows:
            for start in months:
                runs.setdefault((w["provider_id"], w["country"], start), None)
        run_rows = []
        for provider_id, country, start in sorted(runs, key=lambda k: (str(k[0]), k[1], k[2])):
            end = _month_end(start)
            current = end >= today
            row = {
                "id": new_id(),
                "created_at": _at(start),
                "updated_at": _at(start),
                "provider_id": provider_id,
                "country": country,
                "period_start": start,
                "period_end": end,
                "pay_date": end,
                "status": "processing" if current else "completed",
            }
            runs[(provider_id, country, start)] = row
            run_rows.append(row)
        data.counts["payroll_runs"] = copy_rows(PayrollRun, run_rows)

        def entries() -> Iterator[dict]:
            for w in worker_rows:
                for start in months:
                    end = _month_end(start)
                    if w["start_date"] > end or (w["exit_date"] is not None and w["exit_date"] < start):
                        continue
                    run = runs[(w["provider_id"], w["country"], start)]
                    current = end >= today
                    roll = rng.random()
                    if current:
                        status = "scheduled"
                    elif roll < 0.01:
                        status = "failed"
                    elif roll < 0.015:
                        status = "on_hold"
                    else:
                        status = "paid"
                    yield {
                        "id": new_id(),
                        "created_at": _at(start, 8),
                        "updated_at": _at(end, 18),
                        "run_id": run["id"],
                        "provider_id": w["provider_id"],
                        "worker_id": w["id"],
                        "status": status,
                        "failure_reason": "The bank rejected the transfer." if status == "failed" else "",
                        "paid_at": _at(end, 12) if status == "paid" else None,
                        "gross_amount": Decimal(rng.randint(2500, 9000)),
                        "currency": "EUR",
                    }

        data.counts["payroll_entries"] = copy_rows(PayrollEntry, entries())
        say(f"payroll: {data.counts['payroll_runs']} runs, {data.counts['payroll_entries']} entries")

        def compliance() -> Iterator[dict]:
            for w in worker_rows:
                settled = (today - w["start_date"]).days > 30
                for kind in COMPLIANCE_KINDS:
                    roll = rng.random()
                    if settled:
                        status = "verified" if roll < 0.93 else ("submitted" if roll < 0.96 else "missing")
                        if kind == "right_to_work" and roll > 0.98:
                            status = "expired"
                    else:
                        status = "missing" if roll < 0.4 else ("submitted" if roll < 0.7 else "verified")
                    expires = None
                    if kind == "right_to_work":
                        expires = today + dt.timedelta(days=rng.randint(-30, 900))
                    yield {
                        "id": new_id(),
                        "created_at": w["created_at"],
                        "updated_at": w["created_at"],
                        "provider_id": w["provider_id"],
                        "worker_id": w["id"],
                        "kind": kind,
                        "status": status,
                        "expires_on": expires,
                        "evidence_reference": f"DOC-{kind[:3].upper()}" if status != "missing" else "",
                        "verified_at": w["created_at"] if status == "verified" else None,
                    }

        data.counts["compliance_items"] = copy_rows(ComplianceItem, compliance())
        say(f"compliance items: {data.counts['compliance_items']}")

        def check_ins() -> Iterator[dict]:
            for w in worker_rows:
                for kind, days in (("day_30", 30), ("day_60", 60), ("day_90", 90)):
                    due = w["start_date"] + dt.timedelta(days=days)
                    if w["exit_date"] is not None and w["exit_date"] < due - dt.timedelta(days=30):
                        continue
                    done = None
                    ratings = (None, None, None)
                    if due <= today and rng.random() < 0.9:
                        done = min(today, due + dt.timedelta(days=rng.randint(0, 7)))
                        low = rng.random() < 0.05
                        ratings = tuple(rng.randint(1, 2) if low else rng.randint(3, 5) for _ in range(3))
                    created = _at(min(w["start_date"], today))
                    yield {
                        "id": new_id(),
                        "created_at": created,
                        "updated_at": created,
                        "worker_id": w["id"],
                        "kind": kind,
                        "due_on": due,
                        "done_on": done,
                        "engagement": ratings[0],
                        "role_clarity": ratings[1],
                        "manager_relationship": ratings[2],
                    }

        data.counts["check_ins"] = copy_rows(CheckIn, check_ins())
        say(f"check-ins: {data.counts['check_ins']}")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if scan:
        from risks.services.scan import risk_scan_run

        report = risk_scan_run(today=today)
        data.counts["flags_opened"] = len(report.opened)
        say(f"risk scan: {len(report.opened)} flags opened")
    with connection.cursor() as cursor:
        # What autovacuum does to freshly loaded tables in a running deployment (visibility map for
        # index-only counts, statistics); outside a transaction only, so not in the test suite's.
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
    return data
