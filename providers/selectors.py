"""Reads of the provider side: profiles, legal entities, contracts, payroll and compliance.

Tenant scoping lives here (DESIGN §9): worker-owned rows are filtered with `actor.worker_scope`,
provider-owned rows with the provider's organization id. providers sits below workers in the
layering, so the Worker model is reached through our own foreign keys, never imported.
"""

import datetime as dt
import uuid
from collections import defaultdict
from typing import NamedTuple

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.utils import timezone

from accounts.actors import Actor
from accounts.choices import Role
from accounts.models import Organization, User
from outstaff.dataversion import cached
from outstaff.lookups import FixedQuery

from .choices import ComplianceKind, ComplianceStatus, PayrollEntryStatus
from .compliance_requirements import COUNTRY_REQUIREMENTS, DEFAULT_REQUIREMENTS, required_kinds
from .models import ComplianceItem, CsvImport, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider

# The workers app's WorkerStatus.ACTIVE; providers may not import workers (it sits below it).
WORKER_ACTIVE = "active"
EXPIRY_WARNING_DAYS = 30


def worker_model():
    """The Worker model, reached through our foreign key so providers never imports workers."""
    return PayrollEntry._meta.get_field("worker").related_model


def provider_list(*, actor: Actor) -> QuerySet[Provider]:
    """Providers are a directory: clients see every active provider (to hire through one); a
    provider sees only its own profile."""
    qs = Provider.objects.select_related("organization").filter(organization__is_active=True)
    if actor.is_provider:
        return qs.filter(organization_id=actor.organization.id)
    return qs


def provider_for_actor_list(*, actor: Actor) -> QuerySet[Provider]:
    """The actor's own provider profile (none for a client): who may read its audit history."""
    if not actor.is_provider:
        return Provider.objects.none()
    return Provider.objects.filter(organization_id=actor.organization.id)


def provider_for_actor(*, actor: Actor) -> Provider | None:
    if not actor.is_provider:
        return None
    return Provider.objects.filter(organization_id=actor.organization.id).first()


def legal_entity_list(*, actor: Actor) -> QuerySet[LegalEntity]:
    qs = LegalEntity.objects.select_related("provider")
    if actor.is_provider:
        return qs.filter(provider_id=actor.organization.id)
    # Clients see the entities of the providers that employ their workers: the facts they need to
    # judge whether the set-up is compliant. A subquery, not a join, so rows are not duplicated.
    providers = worker_model().objects.filter(actor.worker_scope()).values("provider_id")
    return qs.filter(provider_id__in=providers)


def contract_list(*, actor: Actor) -> QuerySet[EmploymentContract]:
    return EmploymentContract.objects.filter(actor.worker_scope("worker__")).select_related(
        "worker", "legal_entity", "provider"
    )


def payroll_run_list(*, actor: Actor) -> QuerySet[PayrollRun]:
    """Runs belong to a provider; clients see their workers' entries, not the provider's runs."""
    if not actor.is_provider:
        return PayrollRun.objects.none()
    return PayrollRun.objects.filter(provider_id=actor.organization.id)


def payroll_run_list_with_counts(*, actor: Actor) -> QuerySet[PayrollRun]:
    counts = {
        f"{status}_count": Count("entries", filter=Q(entries__status=status)) for status in PayrollEntryStatus.values
    }
    return (
        payroll_run_list(actor=actor)
        .annotate(entry_count=Count("entries"), **counts)
        .order_by("-period_start", "country", "id")
    )


def payroll_run_totals(*, runs) -> dict:
    """Per run: the gross total of its entries, and of those paid, per currency — one query for the
    whole page of runs. {run_id: [{"currency", "gross", "paid", "unpriced"}, …]} (an entry without an
    amount counts in `unpriced`)."""
    ids = [run.id for run in runs]
    totals: dict = defaultdict(list)
    if not ids:
        return totals
    rows = (
        PayrollEntry.objects.filter(run_id__in=ids)
        .values("run_id", "currency")
        .annotate(
            gross=Sum("gross_amount"),
            paid=Sum("gross_amount", filter=Q(status=PayrollEntryStatus.PAID)),
            unpriced=Count("id", filter=Q(gross_amount__isnull=True)),
        )
        .order_by("run_id", "currency")
    )
    for row in rows:
        totals[row["run_id"]].append(
            {"currency": row["currency"], "gross": row["gross"], "paid": row["paid"], "unpriced": row["unpriced"]}
        )
    return totals


def _recorded_by_me(qs: QuerySet, actor: Actor) -> QuerySet:
    """A provider sees the rows it recorded, not only rows of the workers it employs now: a worker
    moved to another employer (e.g. in the admin) must not take the old employer's payroll and
    compliance records to the new one."""
    return qs.filter(provider_id=actor.organization.id) if actor.is_provider else qs


def payroll_entry_list(*, actor: Actor) -> QuerySet[PayrollEntry]:
    qs = PayrollEntry.objects.filter(actor.worker_scope("worker__")).select_related("run", "worker")
    return _recorded_by_me(qs, actor)


def compliance_item_list(*, actor: Actor) -> QuerySet[ComplianceItem]:
    qs = ComplianceItem.objects.filter(actor.worker_scope("worker__")).select_related("worker", "verified_by")
    return _recorded_by_me(qs, actor)


def compliance_items_expiring(*, actor: Actor, within_days: int = EXPIRY_WARNING_DAYS, today: dt.date | None = None):
    """Items that expire within `within_days` (and have not expired yet), soonest first."""
    today = today or timezone.localdate()
    return (
        compliance_item_list(actor=actor)
        .filter(expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=within_days))
        .exclude(status=ComplianceStatus.EXPIRED)
        .order_by("expires_on", "id")
    )


def provider_home_counts(*, actor: Actor, today: dt.date | None = None) -> tuple[int, int]:
    """(compliance items expiring within EXPIRY_WARNING_DAYS, failed payroll entries) for the
    provider home's cards, cached under the provider's data version (outstaff/dataversion.py):
    both read only the provider's workers, its compliance items and its payroll entries, each of
    which bumps the provider's version on every committed write (their Meta.triggers), and the
    key holds today (the expiry window moves with it)."""
    today = today or timezone.localdate()

    def compute():
        expiring = compliance_items_expiring(actor=actor, today=today).count()
        failed = payroll_entry_list(actor=actor).filter(status=PayrollEntryStatus.FAILED).count()
        return expiring, failed

    org_id = actor.organization.id
    return cached(
        "providers.home_counts",
        tenant_ids=[org_id],
        scope=(org_id, today.isoformat(), EXPIRY_WARNING_DAYS),
        compute=compute,
    )


def _verified_required_count_subquery():
    """Per worker: how many of the kinds their country requires are verified. One subquery that
    reads the worker's country from the outer row (no join back to the worker) with a branch per
    distinct set of required kinds: six branches instead of one per country with a join, which
    PostgreSQL planned in ~8 ms and evaluated for every item of every row."""
    known = list(COUNTRY_REQUIREMENTS)
    countries_by_kinds: dict[tuple, list[str]] = defaultdict(list)
    for country, requirements in COUNTRY_REQUIREMENTS.items():
        countries_by_kinds[tuple(str(k) for k in requirements.kinds)].append(country)
    country = OuterRef("country")
    kind_match = Q(~Q(In(country, known)) & Q(kind__in=[str(k) for k in DEFAULT_REQUIREMENTS.kinds]))
    for kinds, countries in countries_by_kinds.items():
        kind_match |= Q(In(country, countries), kind__in=list(kinds))
    verified = (
        ComplianceItem.objects.filter(
            worker=OuterRef("pk"), provider=OuterRef("provider_id"), status=ComplianceStatus.VERIFIED
        )
        .filter(kind_match)
        .order_by()
        .values("worker")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(verified, output_field=IntegerField()), Value(0))


def _required_count_case():
    whens = [When(country=country, then=Value(len(r.kinds))) for country, r in COUNTRY_REQUIREMENTS.items()]
    return Case(*whens, default=Value(len(DEFAULT_REQUIREMENTS.kinds)), output_field=IntegerField())


def workforce_list(*, actor: Actor, today: dt.date | None = None) -> QuerySet:
    """The workers a provider employs (only those), ordered for grouping by client and country,
    each annotated with the status of their latest payroll entry for a period that has started
    and with how many of their country's required compliance kinds are verified."""
    today = today or timezone.localdate()
    latest_entry = PayrollEntry.objects.filter(
        worker=OuterRef("pk"), provider=OuterRef("provider_id"), run__period_start__lte=today
    ).order_by("-run__period_start", "-created_at")
    return (
        worker_model()
        .objects.filter(actor.worker_scope())
        .select_related("client", "provider")
        .annotate(
            payroll_status=Subquery(latest_entry.values("status")[:1]),
            payroll_period_start=Subquery(latest_entry.values("run__period_start")[:1]),
            compliance_verified=_verified_required_count_subquery(),
            compliance_required=_required_count_case(),
        )
        .order_by("client__name", "country", "last_name", "first_name", "id")
    )


def _workforce_clients(scope: Q):
    employs = worker_model().objects.filter(scope, client_id=OuterRef("pk"))
    return Organization.objects.filter(Exists(employs)).order_by("name", "id").values_list("id", "name")


# A provider's, on every request of its home page: compiled once, prepared.
_PROVIDER_WORKFORCE_CLIENTS = FixedQuery(
    Organization,
    lambda provider_id: _workforce_clients(Q(provider_id=provider_id)),
    sample=lambda: {"provider_id": uuid.uuid4()},
    prefix="workforce_clients",
)


def workforce_clients(*, actor: Actor) -> list[tuple]:
    """(id, name) of the clients the provider's workers are dedicated to, for the home page's
    filter. A probe per client organization (there are few) instead of reading every worker."""
    if actor.is_provider:
        return _PROVIDER_WORKFORCE_CLIENTS(provider_id=actor.organization.id)
    return list(_workforce_clients(actor.worker_scope()))


def workforce_groups(
    *, workers: QuerySet, clients: list[tuple], descending: bool = False, whole_workforce_of=None
) -> list[tuple]:
    """The (client, country) groups of a filtered workforce list in the home page's order (client
    name, then country; both reversed when `descending`), as ([(lookups, size)], totals) for
    outstaff.views.GroupedRows: one query, answered from the index on (provider, client, country, …)
    alone, instead of sorting every worker by client name to show a page. `clients` is
    `workforce_clients`' list, ordered by name in PostgreSQL; clients of the same name form one
    group per country, as they do in the list's ORDER BY. `totals` is {(client id, country): size}.

    `whole_workforce_of` (a provider organization's id) says `workers` is that provider's whole,
    unfiltered workforce: the sizes (~5 ms of index-only GROUP BY over 22k workers) are then cached
    under the provider's data version (outstaff/dataversion.py), which every committed write to a
    worker it employs or employed bumps (workers.Worker's triggers: insert, delete, a change of
    client, country or provider). The names and their order come from `clients`, read live."""

    def sizes():
        return list(workers.order_by().values_list("client_id", "country").annotate(n=Count("id")).order_by("country"))

    if whole_workforce_of is None:
        rows = sizes()
    else:
        rows = cached(
            "providers.workforce_groups",
            tenant_ids=[whole_workforce_of],
            scope=(whole_workforce_of,),
            compute=sizes,
        )
    if descending:
        rows = rows[::-1]
    names = dict(clients)
    name_rank: dict = {}
    for _, name in clients:
        name_rank.setdefault(name, len(name_rank))
    unknown = len(name_rank)  # a client added since `clients` was read: last, as it has no name here
    ordered = sorted(rows, key=lambda row: name_rank.get(names.get(row[0]), unknown), reverse=descending)
    groups: list[list] = []
    totals = {}
    for client_id, country, size in ordered:
        totals[(client_id, country)] = size
        key = (name_rank.get(names.get(client_id), unknown), country)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(client_id)
            groups[-1][2] += size
        else:
            groups.append([key, [client_id], size])
    return [({"client_id__in": ids, "country": key[1]}, size) for key, ids, size in groups], totals


class ComplianceState(NamedTuple):
    """What a list needs of a compliance item: its kind and its status."""

    kind: str
    status: str


def compliance_summaries(*, workers) -> dict:
    """For the given (already scoped) workers: per worker id, the required kinds with the item of
    each (or None when no item exists), as recorded by the worker's current employer. One query
    for any number of workers."""
    workers = list(workers)
    employer = {w.id: w.provider_id for w in workers}
    items = defaultdict(dict)
    for item in ComplianceItem.objects.filter(worker_id__in=list(employer)).order_by("kind"):
        if item.provider_id == employer[item.worker_id]:
            items[item.worker_id][item.kind] = item
    return _summaries(workers, items)


def compliance_states(*, workers) -> dict:
    """`compliance_summaries` with each item as a ComplianceState (kind, status) read as a
    tuple instead of a model: the provider home shows 50 workers' ~8 items each and reads only
    their statuses (building the models was ~4 ms of a request at 100k workers)."""
    workers = list(workers)
    employer = {w.id: w.provider_id for w in workers}
    items = defaultdict(dict)
    rows = (
        ComplianceItem.objects.filter(worker_id__in=list(employer))
        .order_by("kind")
        .values_list("worker_id", "provider_id", "kind", "status")
    )
    for worker_id, provider_id, kind, status in rows:
        if provider_id == employer[worker_id]:
            items[worker_id][kind] = ComplianceState(kind, status)
    return _summaries(workers, items)


_PROBLEM_STATUSES = (ComplianceStatus.MISSING, ComplianceStatus.EXPIRED, ComplianceStatus.REJECTED)


def _summaries(workers: list, items: dict) -> dict:
    summaries = {}
    for worker in workers:
        kinds = required_kinds(worker.country)
        mine = items[worker.id]
        rows = [{"kind": k, "label": ComplianceKind(k).label, "item": mine.get(k)} for k in kinds]
        extra = [{"kind": k, "label": ComplianceKind(k).label, "item": i} for k, i in mine.items() if k not in kinds]
        problems = [row for row in rows if row["item"] is None or row["item"].status in _PROBLEM_STATUSES]
        summaries[worker.id] = {"required": rows, "extra": extra, "problems": problems}
    return summaries


def worker_payroll_and_compliance(*, actor: Actor, worker, history: int = 12) -> dict:
    """What the client sees on a worker page (read-only): the payroll history the provider
    recorded, the compliance status per required kind, and warnings when the latest payroll
    failed or a required item is missing, rejected or expired. `worker` must already have been
    fetched through a scoped selector; it is re-checked here all the same."""
    if not worker_model().objects.filter(actor.worker_scope(), id=worker.id).exists():
        return {"entries": [], "compliance": [], "warnings": [], "visible": False}
    entries = list(
        PayrollEntry.objects.filter(worker_id=worker.id)
        .select_related("run")
        .order_by("-run__period_start", "-created_at")[:history]
    )
    summary = compliance_summaries(workers=[worker])[worker.id]
    warnings = []
    # The latest payroll is that of the latest period that has started: a run already created for
    # next month (still scheduled) must not hide this month's failure.
    today = timezone.localdate()
    started = [entry for entry in entries if entry.run.period_start <= today]
    if started and started[0].status == PayrollEntryStatus.FAILED:
        latest = started[0]
        reason = latest.failure_reason or "no reason given"
        warnings.append(f"The latest payroll ({latest.run.period_start:%B %Y}) failed: {reason}.")
    by_state: dict[str, list[str]] = defaultdict(list)
    for row in summary["problems"]:
        by_state[row["item"].status if row["item"] else ComplianceStatus.MISSING].append(row["label"])
    for state in (ComplianceStatus.EXPIRED, ComplianceStatus.REJECTED, ComplianceStatus.MISSING):
        if by_state[state]:
            plural = "s" if len(by_state[state]) > 1 else ""
            warnings.append(f"{state.label} compliance item{plural}: {', '.join(by_state[state])}.")
    return {
        "entries": entries,
        "compliance": summary["required"] + summary["extra"],
        "warnings": warnings,
        "visible": True,
    }


def _history(events, fields: tuple[str, ...]) -> list[dict]:
    """Turn pghistory snapshots (oldest first) into who/when/through-what/from→to rows."""
    rows, previous = [], None
    for event in events:
        metadata = (event.pgh_context.metadata if event.pgh_context_id and event.pgh_context else {}) or {}
        changes = []
        for field in fields:
            new = getattr(event, field)
            old = getattr(previous, field) if previous is not None else None
            if previous is None and new in ("", None):
                continue
            if previous is None or old != new:
                changes.append({"field": field, "old": old, "new": new})
        if changes or previous is None:
            rows.append(
                {
                    "at": event.pgh_created_at,
                    "label": event.pgh_label,
                    "changes": changes,
                    "channel": metadata.get("channel", ""),
                    "csv_file": metadata.get("csv_file", ""),
                    "api_key_name": metadata.get("api_key_name", ""),
                    "user_id": metadata.get("user"),
                    "user": None,
                }
            )
        previous = event
    user_ids = {row["user_id"] for row in rows if row["user_id"]}
    users = {str(u.id): u for u in User.objects.filter(id__in=user_ids)} if user_ids else {}
    for row in rows:
        row["user"] = users.get(str(row["user_id"])) if row["user_id"] else None
    rows.reverse()
    return rows


PAYROLL_ENTRY_AUDITED_FIELDS = ("status", "failure_reason", "status_reason", "paid_at", "gross_amount", "currency")
COMPLIANCE_ITEM_AUDITED_FIELDS = ("status", "expires_on", "evidence_reference", "notes", "verified_at")


def payroll_entry_history(*, entry: PayrollEntry) -> list[dict]:
    return _history(entry.events.select_related("pgh_context").order_by("pgh_id"), PAYROLL_ENTRY_AUDITED_FIELDS)


def compliance_item_history(*, item: ComplianceItem) -> list[dict]:
    return _history(item.events.select_related("pgh_context").order_by("pgh_id"), COMPLIANCE_ITEM_AUDITED_FIELDS)


def csv_import_list(*, actor: Actor) -> QuerySet[CsvImport]:
    if not actor.is_provider:
        return CsvImport.objects.none()
    return CsvImport.objects.filter(provider_id=actor.organization.id).defer("content", "report")


def csv_import_get(*, actor: Actor, import_id) -> CsvImport:
    if not actor.is_provider:
        raise CsvImport.DoesNotExist
    return CsvImport.objects.get(provider_id=actor.organization.id, id=import_id)


def provider_admin_emails(*, provider_id) -> list[str]:
    """Where the daily compliance digest goes: the provider's admins and compliance officers."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=provider_id,
            memberships__role__in=[Role.PROVIDER_ADMIN, Role.COMPLIANCE_OFFICER],
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
        .order_by("email")
    )


def employed_worker_list(*, actor: Actor) -> QuerySet:
    """Workers the actor may attach provider records to: for a provider, the workers it employs."""
    return worker_model().objects.filter(actor.worker_scope())
