"""The risk scan (DESIGN §6): evaluates every rule for a set of workers and upserts one current flag
per (worker, assignment, rule). Set-based: each batch of workers costs a fixed number of queries.
Idempotent: a rerun on the same day changes nothing. A flag whose condition cleared is resolved
with the reason; a dismissed flag stays dismissed until its evidence hash changes. A PostgreSQL
advisory lock keeps two scans from running at once; each batch is one transaction, so a worker
killed mid-scan leaves either the whole batch or none of it."""

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pghistory
from django.db import connection, transaction
from django.db.models import Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from outstaff.signals import ResourceChange, record_resource_changes
from risks.choices import FlagStatus
from risks.models import RiskFlag, RiskScanRun
from risks.rules import RULES, SEVERITY_RANK, Finding, evaluate_rules
from risks.selectors import risk_scan_last_full_started_at
from workers.models import Worker

from .scan_data import load_batch, read_uuids_fast, worker_rows

logger = logging.getLogger(__name__)

# Advisory-lock key for scans ("RISK" in ASCII). A full scan holds it exclusively; per-worker
# re-evaluations hold it shared, so they run side by side but never during a full scan.
SCAN_LOCK_KEY = 0x5249534B
BATCH_SIZE = 500
SCAN_ACTOR = "risk scan"
# A warning that turns into the breach it warned of is resolved as superseded, not as cleared.
SUPERSEDED_BY = {"tenure_cap_approaching": "tenure_cap_exceeded"}


class ScanAlreadyRunning(Exception):
    """Another scan holds the advisory lock; try again later."""


@dataclass(frozen=True)
class FlagChange:
    rule_code: str
    severity: str
    worker_id: object
    worker_name: str
    summary: str


# A report lists every flag a scan opened, reopened, escalated or resolved, but only the first of
# those it saw still open (all are counted): listing every open flag made a full scan's memory grow
# with the database (68k at 100k workers), to print them.
STILL_OPEN_LISTED = 100


@dataclass
class ScanReport:
    scope: str
    today: dt.date
    workers: int = 0
    opened: list[FlagChange] = field(default_factory=list)
    still_open: list[FlagChange] = field(default_factory=list)  # the first STILL_OPEN_LISTED
    still_open_count: int = 0
    resolved: list[FlagChange] = field(default_factory=list)
    reopened: list[FlagChange] = field(default_factory=list)
    escalated: list[FlagChange] = field(default_factory=list)

    def counts(self) -> dict:
        return {
            "workers": self.workers,
            "opened": len(self.opened),
            "still_open": self.still_open_count,
            "resolved": len(self.resolved),
            "reopened": len(self.reopened),
            "escalated": len(self.escalated),
        }

    def as_dict(self) -> dict:
        return {"scope": self.scope, "today": self.today.isoformat(), **self.counts()}


@contextmanager
def scan_lock(*, exclusive: bool) -> Iterator[None]:
    """Hold the scan advisory lock on this connection, or raise ScanAlreadyRunning at once."""
    function = "pg_try_advisory_lock" if exclusive else "pg_try_advisory_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [SCAN_LOCK_KEY])
        acquired = cursor.fetchone()[0]
    if not acquired:
        raise ScanAlreadyRunning("A full risk scan is running.")
    try:
        yield
    finally:
        release = "pg_advisory_unlock" if exclusive else "pg_advisory_unlock_shared"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {release}(%s)", [SCAN_LOCK_KEY])


def risk_scan_run(
    *, worker_ids: Iterable | None = None, today: dt.date | None = None, batch_size: int = BATCH_SIZE
) -> ScanReport:
    """Scan every worker (`worker_ids` None: the nightly full scan) or just the given workers.
    Raises ScanAlreadyRunning when a full scan is in progress (or, for a full scan, any scan)."""
    today = today or timezone.localdate()
    full = worker_ids is None
    started_at = timezone.now()
    report = ScanReport(scope="full" if full else "workers", today=today)
    read_uuids_fast()
    with scan_lock(exclusive=full), pghistory.context(source=SCAN_ACTOR, scope=report.scope):
        if full:
            last_id = None
            while True:
                queryset = Worker.objects.order_by("id")
                if last_id is not None:
                    queryset = queryset.filter(id__gt=last_id)
                rows = worker_rows(queryset[:batch_size])
                if not rows:
                    break
                _scan_batch(rows, today=today, report=report, lock_workers=False)
                last_id = rows[-1]["id"]
                if len(rows) < batch_size:
                    break
        else:
            ids = _with_same_person_records({str(worker_id) for worker_id in worker_ids})
            for start in range(0, len(ids), batch_size):
                rows = worker_rows(Worker.objects.filter(id__in=ids[start : start + batch_size]).order_by("id"))
                if not rows:  # deleted meanwhile: its flags went with it
                    continue
                _scan_batch(rows, today=today, report=report, lock_workers=True)
        if full:
            RiskScanRun.objects.create(
                scope=report.scope, as_of=today, started_at=started_at, finished_at=timezone.now(), **report.counts()
            )
            _analyze_if_flags_moved(report)
    logger.info("risk scan finished: %s", report.as_dict())
    return report


# Autovacuum analyzes a table after 10% of it changed, at its next round; a scan that opened or
# resolved this many flags refreshes the statistics at once, so the pages' plans (counts by client,
# the board's sort) do not run on estimates from before the flags existed.
ANALYZE_AFTER_CHANGED_FLAGS = 1000


def _analyze_if_flags_moved(report: ScanReport) -> None:
    changed = len(report.opened) + len(report.resolved)
    if changed >= ANALYZE_AFTER_CHANGED_FLAGS and changed * 10 >= report.still_open_count:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {RiskFlag._meta.db_table}")


def _with_same_person_records(ids: set[str]) -> list[str]:
    """The given workers and the other records of the same people (same person id, or same work
    e-mail): a change to one record moves the person-level rules (tenure across providers,
    not_dedicated) of the others. One query."""
    given = Worker.objects.filter(id__in=list(ids))
    emails = given.exclude(work_email="").annotate(email_key=Lower("work_email")).values("email_key")
    siblings = (
        Worker.objects.annotate(email_key=Lower("work_email"))
        .filter(Q(email_key__in=Subquery(emails)) | Q(person_id__in=Subquery(given.values("person_id"))))
        .values_list("id", flat=True)
    )
    return sorted(ids | {str(worker_id) for worker_id in siblings})


def _change(flag_or_finding, worker_name: str, *, worker_id=None) -> FlagChange:
    evidence = getattr(flag_or_finding, "evidence", {}) or {}
    return FlagChange(
        rule_code=flag_or_finding.rule_code,
        severity=flag_or_finding.severity,
        worker_id=worker_id or flag_or_finding.worker_id,
        worker_name=worker_name,
        summary=evidence.get("summary", ""),
    )


def _dedupe(findings: list[Finding], worker_id) -> dict[tuple, Finding]:
    keyed: dict[tuple, Finding] = {}
    for finding in findings:
        key = (worker_id, finding.assignment_id, finding.rule_code)
        current = keyed.get(key)
        if current is None or SEVERITY_RANK[finding.severity] > SEVERITY_RANK[current.severity]:
            keyed[key] = finding
    return keyed


def batch_findings(rows: list[dict], *, today: dt.date) -> dict[tuple, Finding]:
    """What the rules find for the workers of `rows` (from `worker_rows`), keyed by the flag's subject
    (worker, assignment, rule): each worker's facts, and only the rules that apply to them."""
    wanted: dict[tuple, Finding] = {}
    for facts, rules in load_batch(rows, today=today):
        wanted.update(_dedupe(evaluate_rules(facts, rules), facts.worker.id))
    return wanted


# The columns a current flag is compared by: a flag whose hash, severity, category, client and
# provider all match what the scan found is not written, so it is not read as a model either (with
# its evidence, a JSON document parsed for every current flag of the batch).
COMPARED = (
    "id",
    "worker_id",
    "assignment_id",
    "rule_code",
    "evidence_hash",
    "severity",
    "category",
    "client_id",
    "provider_id",
)


@transaction.atomic
def _scan_batch(rows: list[dict], *, today: dt.date, report: ScanReport, lock_workers: bool) -> None:
    ids = [row["id"] for row in rows]
    if lock_workers:
        # Two re-evaluations of the same worker queue up here instead of racing on its flags.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(w)) FROM unnest(%s::text[]) AS w ORDER BY w",
                [SCAN_LOCK_KEY, [str(i) for i in ids]],
            )
    now = timezone.now()
    names = {row["id"]: f"{row['first_name']} {row['last_name']}" for row in rows}
    providers = {row["id"]: row["provider_id"] for row in rows}
    clients = {row["id"]: row["client_id"] for row in rows}

    wanted = batch_findings(rows, today=today)

    # The batch's current flags, locked until the batch commits (a person changing one waits, or the
    # batch waits for them), in the order the model lists them.
    existing = {
        (worker_id, assignment_id, rule_code): (flag_id, digest, severity, category, client_id, provider_id)
        for flag_id, worker_id, assignment_id, rule_code, digest, severity, category, client_id, provider_id in (
            RiskFlag.objects.select_for_update()
            .filter(worker_id__in=ids)
            .exclude(status=FlagStatus.RESOLVED)
            .values_list(*COMPARED)
        )
    }
    to_create, to_update, to_resolve = [], [], []
    lifecycle: list[tuple[RiskFlag, str, list[str]]] = []  # (flag, event, changed fields) for the outbox
    differing: list[tuple[int, tuple, Finding, object]] = []  # (flag id, key, finding, client id)
    for key, finding in wanted.items():
        worker_id = key[0]
        client_id = finding.client_id or clients[worker_id]
        current = existing.pop(key, None)
        if current is None:
            to_create.append(
                RiskFlag(
                    worker_id=worker_id,
                    assignment_id=finding.assignment_id,
                    client_id=client_id,
                    provider_id=providers[worker_id],
                    rule_code=finding.rule_code,
                    category=finding.category,
                    severity=finding.severity,
                    evidence=finding.evidence,
                    evidence_hash=finding.evidence_hash,
                    status=FlagStatus.OPEN,
                    first_seen_at=now,
                    last_seen_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
            report.opened.append(_change(finding, names[worker_id], worker_id=worker_id))
            continue
        report.still_open_count += 1
        if len(report.still_open) < STILL_OPEN_LISTED:
            report.still_open.append(_change(finding, names[worker_id], worker_id=worker_id))
        flag_id, digest, severity, category, flag_client_id, flag_provider_id = current
        if (digest, severity, category, flag_client_id, flag_provider_id) != (
            finding.evidence_hash,
            finding.severity,
            finding.category,
            client_id,
            providers[worker_id],
        ):
            differing.append((flag_id, key, finding, client_id))
        # An unchanged flag is not written at all: every finished full scan since it was last written
        # saw it (or it would be resolved), so its last sighting is read from the scan runs
        # (selectors.flag_last_seen) instead of being rewritten on every open flag each night. Its
        # facts are unchanged (same hash) but the evidence's day counts and the summary that quotes
        # them (days overdue, days until a cap, days since start) move with the passing of days alone:
        # they are kept as of the flag's last write (DESIGN "Stable evidence"), which rewrote a third
        # of the open flags every night.

    # Only the flags to write are read as models (one query, none on a rescan that changes nothing).
    wanted_ids = [flag_id for flag_id, _, _, _ in differing] + [current[0] for current in existing.values()]
    flags = RiskFlag.objects.in_bulk(wanted_ids) if wanted_ids else {}
    for flag_id, key, finding, client_id in differing:
        flag = flags[flag_id]
        worker_id = key[0]
        evidence, digest = finding.evidence, finding.evidence_hash
        changed = False
        if flag.evidence_hash != digest:
            escalated = SEVERITY_RANK[finding.severity] > SEVERITY_RANK.get(flag.severity, 0)
            if escalated:
                flag.escalated_at = now
                report.escalated.append(_change(finding, names[worker_id], worker_id=worker_id))
                lifecycle.append((flag, "risk_flag.escalated", ["severity", "evidence", "escalated_at"]))
            if flag.status == FlagStatus.DISMISSED or (flag.status == FlagStatus.ACKNOWLEDGED and escalated):
                previous = flag.get_status_display().lower()
                flag.status = FlagStatus.OPEN
                flag.status_reason = (
                    f"Reopened by the risk scan on {today.isoformat()}: the evidence changed since it was {previous}."
                )
                flag.status_changed_by = None
                flag.status_changed_via = SCAN_ACTOR
                flag.status_changed_at = now
                report.reopened.append(_change(finding, names[worker_id], worker_id=worker_id))
                lifecycle.append((flag, "risk_flag.opened", ["status", "status_reason", "evidence"]))
            flag.evidence_hash = digest
            changed = True
        for attribute, value in (
            ("severity", finding.severity),
            ("category", finding.category),
            ("client_id", client_id),
            ("provider_id", providers[worker_id]),
        ):
            if getattr(flag, attribute) != value:
                setattr(flag, attribute, value)
                changed = True
        if changed:
            flag.evidence = evidence
            flag.last_seen_at = flag.updated_at = now
            to_update.append(flag)

    previous_scan = risk_scan_last_full_started_at() if existing else None
    for current in existing.values():
        flag = flags[current[0]]
        rule = RULES.get(flag.rule_code)
        what = rule.title.lower() if rule else f"rule {flag.rule_code} (retired)"
        successor = SUPERSEDED_BY.get(flag.rule_code)
        if successor and (flag.worker_id, flag.assignment_id, successor) in wanted:
            why = f"superseded by {successor}"
        else:
            why = f"{what} no longer applies"
        flag.status = FlagStatus.RESOLVED
        flag.status_reason = f"Resolved automatically by the risk scan on {today.isoformat()}: {why}."
        flag.status_changed_by = None
        flag.status_changed_via = SCAN_ACTOR
        flag.status_changed_at = flag.resolved_at = flag.updated_at = now
        # Frozen at resolution: the last finished scan that still saw it.
        if previous_scan and previous_scan > flag.last_seen_at:
            flag.last_seen_at = previous_scan
        to_resolve.append(flag)
        report.resolved.append(_change(flag, names.get(flag.worker_id, "")))
        lifecycle.append((flag, "risk_flag.resolved", ["status", "status_reason", "resolved_at"]))

    status_fields = ["status", "status_reason", "status_changed_by", "status_changed_via", "status_changed_at"]
    if to_resolve:
        RiskFlag.objects.bulk_update(to_resolve, [*status_fields, "resolved_at", "last_seen_at", "updated_at"])
    if to_update:
        RiskFlag.objects.bulk_update(
            to_update,
            [
                *status_fields,
                "evidence",
                "evidence_hash",
                "severity",
                "category",
                "client_id",
                "provider_id",
                "escalated_at",
                "last_seen_at",
                "updated_at",
            ],
        )
    if to_create:
        RiskFlag.objects.bulk_create(to_create)
    # Webhook events in the scan's transaction (no worker re-evaluation: the scan is that).
    record_resource_changes(
        changes=[ResourceChange.of(flag, "created", event="risk_flag.opened") for flag in to_create]
        + [ResourceChange.of(flag, "updated", fields, event=event) for flag, event, fields in lifecycle]
    )
    report.workers += len(rows)
