"""Loads the facts of a batch of workers with a fixed number of queries (one per kind of row), so a
full scan's query count grows with the number of batches, never with the number of workers."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count
from django.db.models.functions import Lower

from assignments.models import Assignment
from jurisdictions import jurisdiction_for
from providers.models import ComplianceItem, EmploymentContract, LegalEntity, PayrollEntry
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
from screening.models import Screening
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


def _assignment_fact(row: dict) -> AssignmentFact:
    manager = " ".join(p for p in (row["manager__first_name"], row["manager__last_name"]) if p)
    return AssignmentFact(
        id=row["id"],
        worker_id=row["worker_id"],
        client_id=row["client_id"],
        client_name=row["client__name"],
        provider_id=row["worker__provider_id"],
        provider_name=row["worker__provider__legal_name"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        weekly_hours=row["weekly_hours"],
        directed_by=row["directed_by"],
        schedule_set_by_client=row["schedule_set_by_client"],
        status=row["status"],
        role=row["role"],
        team_name=row["team__name"],
        manager_id=row["manager_id"],
        manager_name=manager or (row["manager__email"] or ""),
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


def load_worker_facts(rows: Sequence[dict], *, today: dt.date) -> list[WorkerFacts]:
    """The facts of every worker in `rows` (from `worker_rows`), with ten queries in all."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    provider_ids = {row["provider_id"] for row in rows}
    # The same person on other worker records (e.g. a new record after a provider change): linked by
    # the person id a new record takes from the record it continues, or by the same work e-mail.
    persons = {row["person_id"] for row in rows}
    emails = {row["work_email"].lower() for row in rows if row["work_email"]}
    # Two indexed lookups in one UNION query: with OR, PostgreSQL scanned every worker and lowered
    # each e-mail for each batch (60 ms a batch at 100k workers, the scan quadratic in the workers).
    records_by = (
        Worker.objects.annotate(email_key=Lower("work_email"))
        .exclude(id__in=ids)
        .order_by()
        .values_list("id", "person_id", "email_key", "provider_id", "provider__legal_name")
    )
    siblings = records_by.filter(person_id__in=persons).union(records_by.filter(email_key__in=emails))
    # Who employs each record: the assignment facts name the provider without joining workers.
    employer: dict = {row["id"]: (row["provider_id"], row["provider__legal_name"]) for row in rows}
    records = [(row["id"], row["person_id"], (row["work_email"] or "").lower()) for row in rows]
    for worker_id, person_id, email, provider_id, provider_name in siblings:
        records.append((worker_id, person_id, email))
        employer[worker_id] = (provider_id, provider_name)
    person_of, records_of_person = group_person_records(records)
    all_ids = set(person_of)

    assignments_by_worker: dict = defaultdict(list)
    for row in (
        Assignment.objects.filter(worker_id__in=all_ids)
        .exclude(status="cancelled")
        .order_by()
        .values(
            "id",
            "worker_id",
            "client_id",
            "client__name",
            "starts_on",
            "ends_on",
            "weekly_hours",
            "directed_by",
            "schedule_set_by_client",
            "status",
            "role",
            "team__name",
            "manager_id",
            "manager__first_name",
            "manager__last_name",
            "manager__email",
        )
    ):
        row["worker__provider_id"], row["worker__provider__legal_name"] = employer[row["worker_id"]]
        assignments_by_worker[row["worker_id"]].append(_assignment_fact(row))

    contracts: dict = defaultdict(list)
    for row in EmploymentContract.objects.filter(worker_id__in=ids).values(
        "id",
        "worker_id",
        "provider_id",
        "contract_type",
        "engagement_model",
        "signed_on",
        "starts_on",
        "ends_on",
        "weekly_hours",
        "legal_entity__country",
    ):
        worker_id = row.pop("worker_id")
        row["legal_entity_country"] = row.pop("legal_entity__country")
        contracts[worker_id].append(ContractFact(**row))

    entities: dict = defaultdict(list)
    for row in LegalEntity.objects.filter(provider_id__in=provider_ids).values(
        "id", "provider_id", "name", "country", "is_active", "staffing_licence_number", "staffing_licence_expires_on"
    ):
        entities[row.pop("provider_id")].append(LegalEntityFact(**row))

    payroll: dict = defaultdict(list)
    for row in (
        PayrollEntry.objects.filter(worker_id__in=ids)
        .order_by()
        .values(
            "id",
            "worker_id",
            "status",
            "failure_reason",
            "run__pay_date",
            "gross_amount",
            "currency",
            "run__period_start",
            "run__period_end",
        )
    ):
        payroll[row["worker_id"]].append(
            PayrollEntryFact(
                id=row["id"],
                status=row["status"],
                pay_date=row["run__pay_date"],
                failure_reason=row["failure_reason"],
                gross_amount=row["gross_amount"],
                currency=row["currency"],
                period_start=row["run__period_start"],
                period_end=row["run__period_end"],
            )
        )

    # Headcount per provider and country, for a licence duty that depends on it (one query), only in
    # the countries whose pack has such a threshold: counting every country of the batch's providers
    # read (nearly) every worker for each batch, a full scan quadratic in the number of workers.
    threshold_countries = {
        row["country"]
        for row in rows
        if jurisdiction_for(row["country"], row["subdivision"]).licence_headcount_threshold is not None
    }
    headcount = {
        (row["provider_id"], row["country"]): row["count"]
        for row in Worker.objects.filter(provider_id__in=provider_ids, country__in=threshold_countries)
        .exclude(status="offboarded")
        .values("provider_id", "country")
        .annotate(count=Count("id"))
        .order_by()
    }

    compliance: dict = defaultdict(list)
    # No ORDER BY: the model's default (worker, kind) sorts by worker name, a join with every worker
    # and a sort per batch; the rules order what they need themselves.
    for worker_id, kind, status in (
        ComplianceItem.objects.filter(worker_id__in=ids).order_by().values_list("worker_id", "kind", "status")
    ):
        compliance[worker_id].append(ComplianceItemFact(kind=kind, status=status))

    check_ins: dict = defaultdict(list)
    for row in (
        CheckIn.objects.filter(worker_id__in=ids)
        .order_by()
        .values("worker_id", "kind", "due_on", "done_on", "engagement", "role_clarity", "manager_relationship")
    ):
        check_ins[row["worker_id"]].append(
            CheckInFact(
                kind=row["kind"],
                due_on=row["due_on"],
                done_on=row["done_on"],
                ratings={k: row[k] for k in ("engagement", "role_clarity", "manager_relationship")},
            )
        )

    screenings: dict = defaultdict(list)
    for row in Screening.objects.filter(candidate__worker_id__in=ids).values(
        "id",
        "candidate__worker_id",
        "status",
        "composite_score",
        "template__pass_threshold",
        "override_reason",
        "decided_at",
    ):
        screenings[row["candidate__worker_id"]].append(
            ScreeningFact(
                id=row["id"],
                status=row["status"],
                composite_score=row["composite_score"],
                pass_threshold=row["template__pass_threshold"],
                override_reason=row["override_reason"],
                decided_at=row["decided_at"],
            )
        )

    result = []
    for row in rows:
        worker = _worker_fact(row)
        person = records_of_person[person_of[worker.id]]
        result.append(
            WorkerFacts(
                today=today,
                worker=worker,
                jurisdiction=jurisdiction_for(worker.country, worker.subdivision),
                assignments=tuple(assignments_by_worker[worker.id]),
                person_assignments=tuple(a for record in person for a in assignments_by_worker[record]),
                contracts=tuple(contracts[worker.id]),
                legal_entities=tuple(entities[worker.provider_id]),
                payroll_entries=tuple(payroll[worker.id]),
                compliance_items=tuple(compliance[worker.id]),
                check_ins=tuple(check_ins[worker.id]),
                screenings=tuple(screenings[worker.id]),
                provider_headcount_in_country=headcount.get((worker.provider_id, worker.country), 0),
            )
        )
    return result
