"""Set-based planning and applying of many payroll entry or compliance item changes at once.

CSV import and the API's bulk upsert share this engine. Planning resolves every row's worker, run
and target row with a handful of queries per chunk of rows (never one query per row), validates
each row and records, row by row, what would change or what is wrong. Applying writes the planned
creations and updates with bulk_create / bulk_update (the pghistory triggers still record every
row), so a 10,000-row file is a few dozen statements.
"""

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from outstaff import bulk as outstaff_bulk
from outstaff.bulk import bulk_update_by_id
from outstaff.etags import etag_for
from outstaff.model_update import model_set

from .choices import ComplianceKind, ComplianceStatus, PayrollEntryStatus
from .models import ComplianceItem, PayrollEntry, PayrollRun
from .payroll_rules import payroll_status_effects, payroll_transition_errors
from .selectors import worker_model

# The fields a row may carry, for the CSV header check and the API's bulk upsert alike.
PAYROLL_ENTRY_FIELDS = (
    "external_id",
    "worker_external_id",
    "worker",
    "run_external_id",
    "run",
    "period_start",
    "status",
    "failure_reason",
    "reason",
    "paid_at",
    "gross_amount",
    "currency",
)
COMPLIANCE_ITEM_FIELDS = (
    "external_id",
    "worker_external_id",
    "worker",
    "kind",
    "status",
    "expires_on",
    "evidence_reference",
    "notes",
)


def reject_unknown_fields(rows: list[dict], known: tuple[str, ...]) -> None:
    """A misspelt field ("stauts") would otherwise be ignored and the item reported as unchanged:
    refuse the call, naming each unknown field by item, before anything is applied."""
    outstaff_bulk.reject_unknown_fields(rows, known)


CHUNK_SIZE = 2000
MAX_ERRORS_SHOWN = 500
EXTERNAL_ID_MAX_LENGTH = PayrollEntry._meta.get_field("external_id").max_length


@dataclass
class RowResult:
    index: int
    key: str
    action: str = "unchanged"  # create | update | unchanged | error
    changes: dict = field(default_factory=dict)  # field -> [old, new]
    errors: dict = field(default_factory=dict)  # field -> message
    target_id: str | None = None
    worker_id: str | None = None
    code: str = ""  # why an error: invalid | precondition_failed
    # The row in words for a person (the CSV import's report): "Ada Byron · October 2026".
    label: str = ""

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "key": self.key,
            "action": self.action,
            "changes": self.changes,
            "errors": self.errors,
            "id": self.target_id,
            "code": (self.code or "invalid") if self.action == "error" else None,
        }


@dataclass
class Plan:
    results: list[RowResult] = field(default_factory=list)
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    update_fields: set = field(default_factory=set)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.results if r.action == "error")

    @property
    def changed_count(self) -> int:
        return sum(1 for r in self.results if r.action in ("create", "update"))


# --- parsing ----------------------------------------------------------------------------------------
def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _parse_date(value, errors: dict, name: str):
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        parsed = parse_date(text)
    except ValueError:
        parsed = None
    if parsed is None:
        errors[name] = f"“{text}” is not a date; use YYYY-MM-DD."
    return parsed


def _parse_datetime(value, errors: dict, name: str):
    if isinstance(value, dt.datetime):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        parsed = parse_datetime(text)
        if parsed is None:
            day = parse_date(text)
            parsed = dt.datetime.combine(day, dt.time(12)) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        errors[name] = f"“{text}” is not a date or date-time; use YYYY-MM-DD or ISO 8601."
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def _check_cells(row: dict, errors: dict) -> None:
    """Text PostgreSQL cannot store is the row's error, never a 500 at the write: a NUL character
    (a binary or UTF-16 file, a broken payroll export) in any cell."""
    for name, value in row.items():
        if isinstance(value, str) and "\x00" in value:
            errors[name] = "Contains a NUL character; send plain text."


def _check_external_id_length(external_id: str, errors: dict) -> None:
    if len(external_id) > EXTERNAL_ID_MAX_LENGTH:
        errors["external_id"] = f"At most {EXTERNAL_ID_MAX_LENGTH} characters."


def _parse_uuid(value, errors: dict, name: str):
    text = _text(value)
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        errors[name] = f"“{text}” is not a valid id."
        return None


def _parse_choice(value, choices, errors: dict, name: str):
    text = _text(value).lower().replace(" ", "_").replace("-", "_")
    if not text:
        return None
    if text not in choices.values:
        errors[name] = f"“{_text(value)}” is not one of: {', '.join(choices.values)}."
        return None
    return text


def _fmt(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (dt.date, Decimal, uuid.UUID)):
        return str(value)
    return value


def _chunks(rows: list, size: int = CHUNK_SIZE) -> Iterable[tuple[int, list]]:
    for start in range(0, len(rows), size):
        yield start, rows[start : start + size]


def _resolve_workers(provider_id, rows: list[dict]) -> tuple[dict, dict]:
    """Workers of this provider named in the rows, by external id and by id (one query)."""
    by_ext_wanted = {_text(r.get("worker_external_id")) for r in rows} - {""}
    ids_wanted = set()
    for r in rows:
        with contextlib.suppress(ValueError):
            ids_wanted.add(uuid.UUID(_text(r.get("worker"))))
    if not by_ext_wanted and not ids_wanted:
        return {}, {}
    workers = (
        worker_model()
        .objects.filter(provider_id=provider_id)
        .filter(Q(external_id__in=by_ext_wanted) | Q(id__in=ids_wanted))
    )
    by_ext, by_id = {}, {}
    for worker in workers.only("id", "external_id", "country", "status", "first_name", "last_name"):
        by_id[worker.id] = worker
        if worker.external_id:
            by_ext[worker.external_id] = worker
    return by_ext, by_id


def _row_worker(row: dict, errors: dict, by_ext: dict, by_id: dict):
    worker_uuid = _parse_uuid(row.get("worker"), errors, "worker")
    ext = _text(row.get("worker_external_id"))
    if worker_uuid:
        worker = by_id.get(worker_uuid)
        if worker is None:
            errors["worker"] = "Unknown worker: no worker with this id is employed by you."
        return worker
    if ext:
        worker = by_ext.get(ext)
        if worker is None:
            errors["worker_external_id"] = (
                f"Unknown worker “{ext}”: no worker with this external id is employed by you."
            )
        return worker
    return None


def _check_external_id_once(external_id: str, target_key, seen_external: dict, errors: dict) -> None:
    """One external id names one row: two rows giving the same new id to different targets would
    otherwise only fail at the database's unique constraint, after the dry run said yes."""
    if external_id and external_id in seen_external and seen_external[external_id][0] != target_key:
        errors["external_id"] = (
            f"External id “{external_id}” is already used in row {seen_external[external_id][1] + 1} for another entry."
        )


# --- payroll entries --------------------------------------------------------------------------------


@dataclass
class _PayrollLookups:
    """What one chunk of payroll rows names, fetched with one query per kind of thing."""

    workers_by_ext: dict
    workers_by_id: dict
    runs_by_id: dict
    runs_by_ext: dict
    runs_by_period: dict
    entries_by_ext: dict
    entries_by_pair: dict


def _payroll_lookups(provider_id, chunk: list[dict], *, lock: bool) -> _PayrollLookups:
    by_ext, by_id = _resolve_workers(provider_id, chunk)
    entry_ext = {_text(r.get("external_id")) for r in chunk} - {""}
    run_ids, run_exts, periods = set(), set(), set()
    for r in chunk:
        with contextlib.suppress(ValueError):
            run_ids.add(uuid.UUID(_text(r.get("run"))))
        run_exts.add(_text(r.get("run_external_id")))
        day = _parse_date(r.get("period_start"), {}, "period_start")
        if day:
            periods.add(day)
    run_exts.discard("")
    runs = list(
        PayrollRun.objects.filter(provider_id=provider_id).filter(
            Q(id__in=run_ids) | Q(external_id__in=run_exts) | Q(period_start__in=periods)
        )
    )
    runs_by_id = {run.id: run for run in runs}
    entry_qs = PayrollEntry.objects.filter(provider_id=provider_id)
    if lock:
        entry_qs = entry_qs.select_for_update(of=("self",)).order_by("pk")
    entries = list(
        entry_qs.filter(Q(external_id__in=entry_ext) | Q(worker_id__in=set(by_id), run_id__in=list(runs_by_id)))
    )
    return _PayrollLookups(
        workers_by_ext=by_ext,
        workers_by_id=by_id,
        runs_by_id=runs_by_id,
        runs_by_ext={run.external_id: run for run in runs if run.external_id},
        runs_by_period={(run.country, run.period_start): run for run in runs},
        entries_by_ext={e.external_id: e for e in entries if e.external_id},
        entries_by_pair={(e.run_id, e.worker_id): e for e in entries},
    )


def _payroll_row_run(row: dict, errors: dict, found: _PayrollLookups, worker, external_id: str):
    """The run a row names (by id, external id, or period start in the worker's country)."""
    run_uuid = _parse_uuid(row.get("run"), errors, "run")
    run_ext = _text(row.get("run_external_id"))
    period = _parse_date(row.get("period_start"), errors, "period_start")
    if run_uuid:
        run = found.runs_by_id.get(run_uuid)
        if run is None:
            errors["run"] = "Unknown payroll run."
        return run
    if run_ext:
        run = found.runs_by_ext.get(run_ext)
        if run is None:
            errors["run_external_id"] = f"Unknown payroll run “{run_ext}”."
        return run
    if period and worker is not None:
        run = found.runs_by_period.get((worker.country, period))
        if run is None:
            errors["period_start"] = f"No payroll run for {worker.country} starting {period}."
        return run
    if not errors:
        errors["external_id" if external_id else "worker_external_id"] = (
            f"Unknown payroll entry “{external_id}”; to create one, also name the worker and the run."
            if external_id
            else "Name the entry (external_id) or the worker and the run (period_start)."
        )
    return None


def _payroll_row_target(row: dict, errors: dict, found: _PayrollLookups, external_id: str):
    """(worker, entry, run) a row names; entry is None when the row creates one."""
    worker = _row_worker(row, errors, found.workers_by_ext, found.workers_by_id)
    entry = found.entries_by_ext.get(external_id) if external_id else None
    if entry is not None:
        if worker is not None and entry.worker_id != worker.id:
            errors["worker_external_id"] = "This entry belongs to another worker."
        return worker, entry, None
    run = _payroll_row_run(row, errors, found, worker, external_id)
    if worker is None and not errors:
        errors["worker_external_id"] = "Name the worker (worker_external_id or worker)."
    if run is not None and worker is not None:
        entry = found.entries_by_pair.get((run.id, worker.id))
        if entry is None and worker.country != run.country:
            errors["worker_external_id"] = f"The worker is employed in {worker.country}; this run is for {run.country}."
        if entry is not None and external_id and entry.external_id and entry.external_id != external_id:
            errors["external_id"] = f"This worker's entry in that run already has external id “{entry.external_id}”."
    return worker, entry, run


def _parse_amount(row: dict, errors: dict):
    text = _text(row.get("gross_amount"))
    if not text:
        return None
    try:
        amount = Decimal(text.replace(",", ""))
        # Infinity and NaN parse as Decimals but are no amount (and break the checks below).
        if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2 or abs(amount) >= 10**10:
            raise InvalidOperation
    except InvalidOperation:
        errors["gross_amount"] = f"“{text}” is not an amount (e.g. 4200.00)."
        return None
    return amount


def _parse_payroll_values(row: dict, errors: dict) -> dict:
    """The cells of a payroll row as values (None / "" where the row gives none)."""
    currency = _text(row.get("currency")).upper()
    if currency and (len(currency) != 3 or not currency.isalpha()):
        errors["currency"] = "Use a three-letter ISO 4217 currency code, e.g. EUR."
    return {
        "status": _parse_choice(row.get("status"), PayrollEntryStatus, errors, "status"),
        "paid_at": _parse_datetime(row.get("paid_at"), errors, "paid_at"),
        "gross_amount": _parse_amount(row, errors),
        "currency": currency,
        "failure_reason": _text(row.get("failure_reason")),
        "reason": _text(row.get("reason")),
    }


def _payroll_row_key(row: dict, external_id: str) -> str:
    """How the report names a row: its external id, or worker@run."""
    return external_id or (
        f"{_text(row.get('worker_external_id')) or _text(row.get('worker'))}"
        f"@{_text(row.get('run_external_id')) or _text(row.get('run')) or _text(row.get('period_start'))}"
    )


def _plan_payroll_change(plan: Plan, result: RowResult, entry, values: dict, *, now) -> None:
    """File the row's change of `entry` (new when unsaved), with the status rules of every path."""
    creating = entry._state.adding
    old_status = PayrollEntryStatus.SCHEDULED if creating else entry.status
    new = {
        "status": values["status"] or old_status,
        "failure_reason": entry.failure_reason,
        "status_reason": entry.status_reason,
        "paid_at": entry.paid_at,
        "gross_amount": values["gross_amount"] if values["gross_amount"] is not None else entry.gross_amount,
        "currency": values["currency"] or entry.currency,
        "external_id": values["external_id"] or entry.external_id,
    }
    transition_errors = payroll_transition_errors(
        old=None if creating else old_status,
        new=new["status"],
        failure_reason=values["failure_reason"] or (entry.failure_reason if new["status"] == old_status else ""),
        reason=values["reason"],
    )
    if transition_errors:
        result.action, result.errors = "error", transition_errors
        plan.results.append(result)
        return
    payroll_status_effects(
        new, old_status, values["failure_reason"], values["reason"], values["paid_at"], now, creating
    )
    _plan_row_change(plan, result, entry, new, creating=creating, now=now)


def plan_payroll_entries(
    *, provider_id, rows: list[dict], lock: bool = False, on_progress: Callable[[int], None] | None = None
) -> Plan:
    """Plan changes to payroll entries. A row names its entry by `external_id`, or by worker
    (`worker` id or `worker_external_id`) and run (`run` id, `run_external_id`, or `period_start`
    of the run for the worker's country). An entry that does not exist yet is created when both
    the worker and the run are known."""
    plan = Plan()
    seen: dict[str, int] = {}
    seen_external: dict[str, tuple] = {}
    now = timezone.now()
    for start, chunk in _chunks(rows):
        found = _payroll_lookups(provider_id, chunk, lock=lock)
        for offset, row in enumerate(chunk):
            errors: dict = {}
            external_id = _text(row.get("external_id"))
            _check_external_id_length(external_id, errors)
            worker, entry, run = _payroll_row_target(row, errors, found, external_id)
            values = {**_parse_payroll_values(row, errors), "external_id": external_id}
            _check_cells(row, errors)
            result = RowResult(index=start + offset, key=_payroll_row_key(row, external_id))
            # Only what the chunk's lookups hold: naming a row costs no query.
            subject = worker or (found.workers_by_id.get(entry.worker_id) if entry is not None else None)
            run_of_row = run or (found.runs_by_id.get(entry.run_id) if entry is not None else None)
            period = run_of_row.period_start if run_of_row is not None else None
            result.label = " · ".join(
                part for part in (subject.full_name if subject else "", f"{period:%B %Y}" if period else "") if part
            )
            target_key = str(entry.id) if entry else (f"{run.id}:{worker.id}" if run and worker else None)
            if not _claim_row(plan, result, errors, target_key, external_id, seen, seen_external, noun="entry"):
                continue
            if entry is None:
                entry = PayrollEntry(run=run, provider_id=provider_id, worker_id=worker.id, external_id=external_id)
            _plan_payroll_change(plan, result, entry, values, now=now)
        if on_progress:
            on_progress(min(start + len(chunk), len(rows)))
    return plan


def _claim_row(plan, result, errors: dict, target_key, external_id: str, seen: dict, seen_external: dict, *, noun):
    """Refuse a second row for the same target (or external id) in one file or call; file the row as
    an error when anything is wrong. True when the row may go on to be planned."""
    if target_key and target_key in seen:
        errors["row"] = f"The same {noun} appears again in row {seen[target_key] + 1}; keep one row per {noun}."
    _check_external_id_once(external_id, target_key, seen_external, errors)
    if errors:
        result.action, result.errors = "error", errors
        plan.results.append(result)
        return False
    seen[target_key] = result.index
    if external_id:
        seen_external[external_id] = (target_key, result.index)
    return True


_RELATIONS = {
    model: [f.name for f in model._meta.concrete_fields if f.is_relation] for model in (PayrollEntry, ComplianceItem)
}


def _plan_row_change(plan, result, obj, new: dict, *, creating: bool, now) -> None:
    """Apply `new` to `obj` in memory and file it in the plan as a create, an update (with the
    from → to of each changed field, for the dry-run report and the audit) or no change."""
    before = {} if creating else {name: getattr(obj, name) for name in new}
    if creating:  # a new row: every value given is a change, blanks are left at their defaults
        new = {name: value for name, value in new.items() if value not in ("", None)}
        model_set(instance=obj, fields=new, data=new)
        changed = list(new)
    else:
        changed = model_set(instance=obj, fields=new, data=new)
    changes = {name: [_fmt(before.get(name)), _fmt(new[name])] for name in changed}
    if changes:
        try:
            # The model's own field and clean() rules hold here as in the single-object services
            # (one place per rule); foreign keys were resolved within the provider's scope, and
            # uniqueness is planned set-based above, so neither costs a query per row.
            obj.full_clean(exclude=_RELATIONS[type(obj)], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            result.action = "error"
            result.errors = {name: " ".join(messages) for name, messages in error.message_dict.items()}
            plan.results.append(result)
            return
    result.worker_id = str(obj.worker_id)
    if creating:
        result.action, result.changes = "create", changes
        plan.creates.append(obj)
    elif changes:
        result.action, result.changes, result.target_id = "update", changes, str(obj.id)
        obj.updated_at = now
        plan.updates.append(obj)
        plan.update_fields.update(changes)
    else:
        result.target_id = str(obj.id)
    plan.results.append(result)


def drop_from_plan(plan: Plan, result: RowResult) -> None:
    """A row found bad after planning leaves the write lists too."""
    if result.action == "create":
        position = sum(1 for r in plan.results[: result.index] if r.action == "create")
        plan.creates.pop(position)
    elif result.action == "update":
        plan.updates = [obj for obj in plan.updates if str(obj.id) != result.target_id]


def check_etags(plan: Plan, model, etags: dict[int, str]) -> None:
    """Items that carried the `etag` they last read (API bulk upsert): a row changed since (or
    not there yet) fails that item with `precondition_failed` instead of being overwritten. One
    query; the rows are locked by the planning."""
    if not etags:
        return
    ids = {plan.results[i].target_id for i in etags if plan.results[i].target_id}
    stamps = dict(model.objects.filter(pk__in=ids).values_list("pk", "updated_at"))
    for index, etag in etags.items():
        result = plan.results[index]
        if result.action == "error":
            continue
        stamp = stamps.get(uuid.UUID(result.target_id)) if result.target_id else None
        current = etag_for(SimpleNamespace(pk=result.target_id, updated_at=stamp)) if stamp else None
        if current != str(etag).strip():
            drop_from_plan(plan, result)
            result.action, result.code, result.changes = "error", "precondition_failed", {}
            result.errors = {"etag": "The row changed since you read it (ETag mismatch). Fetch it again and retry."}


def apply_plan(plan: Plan, model, *, batch_size: int = 2000) -> int:
    """Write the planned rows (no validation left to do; the database constraints still hold)."""
    if plan.creates:
        model.objects.bulk_create(plan.creates, batch_size=batch_size)
    if plan.updates:
        fields = sorted(plan.update_fields | {"updated_at"})
        bulk_update_by_id(model, plan.updates, [f if f != "verified_by_id" else "verified_by" for f in fields])
    # Results of created rows learn their new ids (bulk_create sets them on PostgreSQL).
    create_iter = iter(plan.creates)
    for result in plan.results:
        if result.action == "create":
            result.target_id = str(next(create_iter).id)
    return len(plan.creates) + len(plan.updates)


# --- compliance items -------------------------------------------------------------------------------
def plan_compliance_items(
    *,
    provider_id,
    rows: list[dict],
    verified_by_id=None,
    lock: bool = False,
    on_progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Plan upserts of compliance items. A row names its item by `external_id`, or by worker and
    `kind` (one item per worker and kind); missing items are created."""
    plan = Plan()
    seen: dict[str, int] = {}
    seen_external: dict[str, tuple] = {}
    now = timezone.now()
    today = today or timezone.localdate()
    for start, chunk in _chunks(rows):
        by_ext, by_id = _resolve_workers(provider_id, chunk)
        item_ext = {_text(r.get("external_id")) for r in chunk} - {""}
        qs = ComplianceItem.objects.filter(provider_id=provider_id)
        if lock:
            qs = qs.select_for_update(of=("self",)).order_by("pk")
        items = list(qs.filter(Q(external_id__in=item_ext) | Q(worker_id__in=list(by_id))))
        items_by_ext = {i.external_id: i for i in items if i.external_id}
        items_by_pair = {(i.worker_id, i.kind): i for i in items}

        for offset, row in enumerate(chunk):
            index = start + offset
            errors: dict = {}
            external_id = _text(row.get("external_id"))
            _check_external_id_length(external_id, errors)
            worker = _row_worker(row, errors, by_ext, by_id)
            kind = _parse_choice(row.get("kind"), ComplianceKind, errors, "kind")
            status = _parse_choice(row.get("status"), ComplianceStatus, errors, "status")
            has_expiry = "expires_on" in row and row.get("expires_on") is not None
            expires_on = _parse_date(row.get("expires_on"), errors, "expires_on")
            item = items_by_ext.get(external_id) if external_id else None
            if item is None:
                if worker is None and "worker" not in errors and "worker_external_id" not in errors:
                    errors["worker_external_id"] = "Name the worker (worker_external_id or worker)."
                if kind is None and "kind" not in errors:
                    errors["kind"] = "Name the kind of compliance item."
                if worker is not None and kind:
                    item = items_by_pair.get((worker.id, kind))
                    if item is not None and external_id and item.external_id and item.external_id != external_id:
                        errors["external_id"] = (
                            f"This worker's {kind} item already has external id “{item.external_id}”."
                        )
            else:
                if worker is not None and item.worker_id != worker.id:
                    errors["worker_external_id"] = "This item belongs to another worker."
                if kind and kind != item.kind:
                    errors["kind"] = f"This item is a {item.kind} item; its kind cannot change."
            _check_cells(row, errors)
            key = external_id or f"{_text(row.get('worker_external_id')) or _text(row.get('worker'))}:{kind or ''}"
            result = RowResult(index=index, key=key)
            subject = worker or (by_id.get(item.worker_id) if item is not None else None)
            kind_label = ComplianceKind(kind).label if kind in ComplianceKind.values else ""
            result.label = " · ".join(part for part in (subject.full_name if subject else "", kind_label) if part)
            target_key = str(item.id) if item else (f"{worker.id}:{kind}" if worker and kind else None)
            if not _claim_row(plan, result, errors, target_key, external_id, seen, seen_external, noun="item"):
                continue
            creating = item is None
            if creating:
                item = ComplianceItem(provider_id=provider_id, worker_id=worker.id, kind=kind, external_id=external_id)
            new = {
                "status": status or (item.status if not creating else ComplianceStatus.MISSING),
                "expires_on": expires_on if has_expiry else item.expires_on,
                "evidence_reference": _text(row["evidence_reference"])
                if "evidence_reference" in row and row["evidence_reference"] is not None
                else item.evidence_reference,
                "notes": _text(row["notes"]) if "notes" in row and row["notes"] is not None else item.notes,
                "external_id": external_id or item.external_id,
                "verified_by_id": item.verified_by_id,
                "verified_at": item.verified_at,
            }
            compliance_status_effects(
                new, old_status=None if creating else item.status, today=today, now=now, verified_by_id=verified_by_id
            )
            _plan_row_change(plan, result, item, new, creating=creating, now=now)
        if on_progress:
            on_progress(min(start + len(chunk), len(rows)))
    return plan


def compliance_status_effects(new: dict, *, old_status, today, now, verified_by_id) -> None:
    """Verification stamps who and when; an item past its expiry date is expired, whatever the
    row said, because that is what the daily task would make of it tonight."""
    if new["expires_on"] and new["expires_on"] < today and new["status"] != ComplianceStatus.MISSING:
        new["status"] = ComplianceStatus.EXPIRED
    if new["status"] == ComplianceStatus.VERIFIED and old_status != ComplianceStatus.VERIFIED:
        new["verified_by_id"] = verified_by_id
        new["verified_at"] = now
    elif new["status"] != ComplianceStatus.VERIFIED and new["status"] != ComplianceStatus.EXPIRED:
        new["verified_by_id"] = None
        new["verified_at"] = None
