"""Loads the facts of a batch of workers with a fixed number of queries (one per kind of row), so a
full scan's query count grows with the number of batches, never with the number of workers."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID, SafeUUID

import psycopg2.extensions
from django.db import connection

from accounts.models import Organization, User
from assignments.models import Assignment, Team
from jurisdictions import jurisdiction_for
from providers.models import ComplianceItem, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider
from risks.rules.base import Rule, rules_for
from risks.rules.facts import (
    FACT_KINDS,
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
from screening.models import Candidate, Screening, ScreeningTemplate
from workers.models import CheckIn, Worker

WORKER_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "work_email",
    "person_id",
    "client_id",
    "client__name",
    "provider_id",
    "provider__legal_name",
    "country",
    "subdivision",
    "status",
    "start_date",
    "exit_date",
    "role_title",
    "gate_override_reason",
    "gate_override_at",
)


def worker_rows(queryset) -> list[dict]:
    return list(queryset.values(*WORKER_FIELDS))


def _worker_fact(row: dict) -> WorkerFact:
    return WorkerFact(
        id=row["id"],
        full_name=f"{row['first_name']} {row['last_name']}",
        work_email=row["work_email"],
        client_id=row["client_id"],
        client_name=row["client__name"],
        provider_id=row["provider_id"],
        provider_name=row["provider__legal_name"],
        country=row["country"],
        status=row["status"],
        start_date=row["start_date"],
        exit_date=row["exit_date"],
        subdivision=row["subdivision"],
        role_title=row["role_title"],
        gate_override_reason=row["gate_override_reason"],
        gate_override_at=row["gate_override_at"],
    )


CHECK_IN_RATINGS = ("engagement", "role_clarity", "manager_relationship")


def _assignment_fact(row: tuple, employer: tuple) -> AssignmentFact:
    (
        assignment_id,
        worker_id,
        client_id,
        client_name,
        starts_on,
        ends_on,
        weekly_hours,
        directed_by,
        schedule_set_by_client,
        status,
        role,
        team_name,
        manager_id,
        manager_first_name,
        manager_last_name,
        manager_email,
    ) = row
    manager = " ".join(p for p in (manager_first_name, manager_last_name) if p)
    provider_id, provider_name = employer
    return AssignmentFact(
        assignment_id,
        worker_id,
        client_id,
        client_name,
        provider_id,
        provider_name,
        starts_on,
        ends_on,
        weekly_hours,
        directed_by,
        schedule_set_by_client,
        status,
        role,
        team_name,
        manager_id,
        manager or (manager_email or ""),
    )


def group_person_records(records) -> tuple[dict, dict[object, set]]:
    """Worker records (id, person id, lower-case e-mail) grouped into people: two records are one
    person when they share a person id or a non-empty e-mail (a small union-find over the batch)."""
    parent: dict = {}

    def find(key):
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for worker_id, person_id, email in records:
        keys = [("record", worker_id), ("person", person_id)] + ([("email", email)] if email else [])
        root = find(keys[0])
        for key in keys[1:]:
            parent[find(key)] = root
    person_of = {worker_id: find(("record", worker_id)) for worker_id, _, _ in records}
    records_of_person: dict[object, set] = defaultdict(set)
    for worker_id, person in person_of.items():
        records_of_person[person].add(worker_id)
    return person_of, records_of_person


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _text(ids) -> list[str]:
    return [str(each) for each in ids]


def _uuid(data, cursor):
    """A `uuid` column as uuid.UUID, as psycopg2's own typecaster (extras.register_uuid) gives it but
    without re-validating PostgreSQL's canonical text: half the time, and a batch reads thousands."""
    if not data:
        return None
    value = _new_object(UUID)
    _set_attribute(value, "int", int(data.replace("-", ""), 16))
    _set_attribute(value, "is_safe", _UNKNOWN)
    return value


_new_object, _set_attribute, _UNKNOWN = object.__new__, object.__setattr__, SafeUUID.unknown
FAST_UUID = psycopg2.extensions.new_type((2950,), "UUID", _uuid)


def read_uuids_fast() -> None:
    """Read `uuid` columns with `_uuid` on this thread's connection from now on (the objects are
    the same uuid.UUID values psycopg2's typecaster makes, so nothing else can tell)."""
    connection.ensure_connection()
    psycopg2.extensions.register_type(FAST_UUID, connection.connection)


def _rows(sql: str, params: list) -> list[tuple]:
    """One statement's rows as tuples. The ids go as one array parameter each: an ORM `__in` list of
    500 UUIDs was prepared and quoted id by id (a fifth of a batch's CPU time, profiled at 10k workers)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The batch's facts, a statement per kind; each orders its rows as the model's default ordering did
# (the rules take the first of equals in a few places: the contract, the entity, the screening).
_WORKER, _PROVIDER = _table(Worker), _table(Provider)
SIBLINGS_SQL = f"""
    SELECT w.id, w.person_id, LOWER(w.work_email), w.provider_id, p.legal_name
      FROM {_WORKER} w JOIN {_PROVIDER} p ON p.organization_id = w.provider_id
     WHERE w.person_id = ANY(%s::uuid[]) AND NOT (w.id = ANY(%s::uuid[]))
    UNION
    SELECT w.id, w.person_id, LOWER(w.work_email), w.provider_id, p.legal_name
      FROM {_WORKER} w JOIN {_PROVIDER} p ON p.organization_id = w.provider_id
     WHERE LOWER(w.work_email) = ANY(%s::text[]) AND NOT (w.id = ANY(%s::uuid[]))
"""  # nosec B608 - table names from the models
ASSIGNMENTS_SQL = f"""
    SELECT a.id, a.worker_id, a.client_id, c.name, a.starts_on, a.ends_on, a.weekly_hours, a.directed_by,
           a.schedule_set_by_client, a.status, a.role, t.name, a.manager_id, u.first_name, u.last_name, u.email
      FROM {_table(Assignment)} a
      JOIN {_table(Organization)} c ON c.id = a.client_id
      JOIN {_table(Team)} t ON t.id = a.team_id
      LEFT JOIN {_table(User)} u ON u.id = a.manager_id
     WHERE a.worker_id = ANY(%s::uuid[]) AND NOT (a.status = 'cancelled')
"""  # nosec B608 - table names from the models
CONTRACTS_SQL = f"""
    SELECT c.worker_id, c.id, c.provider_id, c.contract_type, c.engagement_model, c.signed_on, c.starts_on,
           c.ends_on, c.weekly_hours, e.country
      FROM {_table(EmploymentContract)} c JOIN {_table(LegalEntity)} e ON e.id = c.legal_entity_id
     WHERE c.worker_id = ANY(%s::uuid[])
     ORDER BY c.starts_on DESC, c.id
"""  # nosec B608 - table names from the models
LEGAL_ENTITIES_SQL = f"""
    SELECT provider_id, id, name, country, is_active, staffing_licence_number, staffing_licence_expires_on
      FROM {_table(LegalEntity)}
     WHERE provider_id = ANY(%s::uuid[])
     ORDER BY country, name
"""  # nosec B608 - table names from the models
PAYROLL_SQL = f"""
    SELECT e.worker_id, e.id, e.status, r.pay_date, e.failure_reason, e.gross_amount, e.currency,
           r.period_start, r.period_end
      FROM {_table(PayrollEntry)} e JOIN {_table(PayrollRun)} r ON r.id = e.run_id
     WHERE e.worker_id = ANY(%s::uuid[])
"""  # nosec B608 - table names from the models
HEADCOUNT_SQL = f"""
    SELECT provider_id, country, COUNT(id)
      FROM {_WORKER}
     WHERE country = ANY(%s::text[]) AND provider_id = ANY(%s::uuid[]) AND NOT (status = 'offboarded')
     GROUP BY 1, 2
"""  # nosec B608 - table names from the models
COMPLIANCE_SQL = f"""
    SELECT worker_id, kind, status FROM {_table(ComplianceItem)} WHERE worker_id = ANY(%s::uuid[])
"""  # nosec B608 - table names from the models
CHECK_INS_SQL = f"""
    SELECT worker_id, kind, due_on, done_on, {", ".join(CHECK_IN_RATINGS)}
      FROM {_table(CheckIn)}
     WHERE worker_id = ANY(%s::uuid[])
"""  # nosec B608 - table names from the models
SCREENINGS_SQL = f"""
    SELECT c.worker_id, s.id, s.status, s.composite_score, t.pass_threshold, s.override_reason, s.decided_at
      FROM {_table(Screening)} s
      JOIN {_table(Candidate)} c ON c.id = s.candidate_id
      JOIN {_table(ScreeningTemplate)} t ON t.id = s.template_id
     WHERE c.worker_id = ANY(%s::uuid[])
     ORDER BY s.created_at DESC, s.id
"""  # nosec B608 - table names from the models


def load_worker_facts(rows: Sequence[dict], *, today: dt.date) -> list[WorkerFacts]:
    """Every fact of every worker in `rows` (from `worker_rows`), with ten queries in all."""
    return [facts for facts, _ in load_batch(rows, today=today, every_fact=True)]


def load_batch(
    rows: Sequence[dict], *, today: dt.date, every_fact: bool = False
) -> list[tuple[WorkerFacts, list[Rule]]]:
    """Each worker's facts with the rules that apply to them (risks.rules.base.rules_for), at most ten
    queries for the batch. A kind of fact is loaded only for the workers a rule that applies to them
    reads it for (the payroll, compliance items, check-ins and screenings of a worker past their first
    90 days are read by no rule but South Africa's deemed employment): most of a batch's rows were
    those, loaded and turned into objects to be read by nobody. A kind no worker needs is no query.
    With `every_fact`, every kind is loaded for every worker (for readers other than the rules)."""
    if not rows:
        return []
    plans = []
    needs: dict[str, list] = defaultdict(list)
    for row in rows:
        worker = _worker_fact(row)
        pack = jurisdiction_for(worker.country, worker.subdivision)
        rules, kinds = rules_for(pack).for_worker(WorkerFacts(today=today, worker=worker, jurisdiction=pack))
        plans.append((worker, pack, rules))
        for kind in FACT_KINDS if every_fact else kinds:
            needs[kind].append(worker.id)
    ids = [str(row["id"]) for row in rows]
    provider_ids = sorted({str(row["provider_id"]) for row in rows})

    assignments_by_worker: dict = defaultdict(list)
    person_of: dict = {}
    records_of_person: dict = {}
    if needs["assignments"] or needs["person_assignments"]:
        # The same person on other worker records (e.g. a new record after a provider change): linked
        # by the person id a new record takes from the record it continues, or by the same work e-mail.
        # Two indexed lookups in one UNION query: with OR, PostgreSQL scanned every worker and lowered
        # each e-mail for each batch (60 ms a batch at 100k workers, the scan quadratic in the workers).
        persons = sorted({str(row["person_id"]) for row in rows})
        emails = sorted({row["work_email"].lower() for row in rows if row["work_email"]})
        siblings = _rows(SIBLINGS_SQL, [persons, ids, emails, ids])
        # Who employs each record: the assignment facts name the provider without joining workers.
        employer: dict = {row["id"]: (row["provider_id"], row["provider__legal_name"]) for row in rows}
        records = [(row["id"], row["person_id"], (row["work_email"] or "").lower()) for row in rows]
        for worker_id, person_id, email, provider_id, provider_name in siblings:
            records.append((worker_id, person_id, email))
            employer[worker_id] = (provider_id, provider_name)
        person_of, records_of_person = group_person_records(records)
        for row in _rows(ASSIGNMENTS_SQL, [[str(worker_id) for worker_id in person_of]]):
            assignments_by_worker[row[1]].append(_assignment_fact(row, employer[row[1]]))

    contracts: dict = defaultdict(list)
    if needs["contracts"]:
        for worker_id, *values in _rows(CONTRACTS_SQL, [_text(needs["contracts"])]):
            contracts[worker_id].append(ContractFact(*values))

    entities: dict = defaultdict(list)
    if needs["legal_entities"]:
        for provider_id, *values in _rows(LEGAL_ENTITIES_SQL, [provider_ids]):
            entities[provider_id].append(LegalEntityFact(*values))

    payroll: dict = defaultdict(list)
    if needs["payroll_entries"]:
        for worker_id, *values in _rows(PAYROLL_SQL, [_text(needs["payroll_entries"])]):
            payroll[worker_id].append(PayrollEntryFact(*values))

    # Headcount per provider and country, for a licence duty that depends on it (one query), only in
    # the countries whose pack has such a threshold: counting every country of the batch's providers
    # read (nearly) every worker for each batch, a full scan quadratic in the number of workers.
    headcount: dict = {}
    if needs["provider_headcount_in_country"]:
        threshold_countries = sorted(
            {
                row["country"]
                for row in rows
                if jurisdiction_for(row["country"], row["subdivision"]).licence_headcount_threshold is not None
            }
        )
        if threshold_countries:
            headcount = {
                (provider_id, country): count
                for provider_id, country, count in _rows(HEADCOUNT_SQL, [threshold_countries, provider_ids])
            }

    compliance: dict = defaultdict(list)
    if needs["compliance_items"]:
        for worker_id, kind, status in _rows(COMPLIANCE_SQL, [_text(needs["compliance_items"])]):
            compliance[worker_id].append(ComplianceItemFact(kind, status))

    check_ins: dict = defaultdict(list)
    if needs["check_ins"]:
        for worker_id, kind, due_on, done_on, *scores in _rows(CHECK_INS_SQL, [_text(needs["check_ins"])]):
            ratings = dict(zip(CHECK_IN_RATINGS, scores, strict=True))
            check_ins[worker_id].append(CheckInFact(kind, due_on, done_on, ratings))

    screenings: dict = defaultdict(list)
    if needs["screenings"]:
        for worker_id, *values in _rows(SCREENINGS_SQL, [_text(needs["screenings"])]):
            screenings[worker_id].append(ScreeningFact(*values))

    result = []
    empty = ()
    for worker, pack, rules in plans:
        worker_id = worker.id
        person = records_of_person.get(person_of.get(worker_id), empty)
        result.append(
            (
                WorkerFacts(
                    today=today,
                    worker=worker,
                    jurisdiction=pack,
                    assignments=tuple(assignments_by_worker.get(worker_id, empty)),
                    person_assignments=tuple(a for record in person for a in assignments_by_worker.get(record, empty)),
                    contracts=tuple(contracts.get(worker_id, empty)),
                    legal_entities=tuple(entities.get(worker.provider_id, empty)),
                    payroll_entries=tuple(payroll.get(worker_id, empty)),
                    compliance_items=tuple(compliance.get(worker_id, empty)),
                    check_ins=tuple(check_ins.get(worker_id, empty)),
                    screenings=tuple(screenings.get(worker_id, empty)),
                    provider_headcount_in_country=headcount.get((worker.provider_id, worker.country), 0),
                ),
                rules,
            )
        )
    return result
