"""CSV import of payroll entry statuses and compliance items: upload → dry run → apply.

The dry run and the apply both go through the set-based planner in `providers.bulk`, chunk by
chunk, so a 10,000-row file costs a few dozen queries. A file with any bad row applies nothing
unless the provider chooses to apply only the good rows. Large files are processed by a Celery
task while the page shows progress (`providers.csv_import_dispatch`)."""

import csv
import datetime as dt
import io
import logging

import pghistory
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.models import User

from . import bulk
from .choices import CsvImportKind, CsvImportStatus
from .models import ComplianceItem, CsvImport, PayrollEntry, Provider
from .services import notify_workers_changed, payroll_runs_refresh_status, plan_changes

logger = logging.getLogger(__name__)

MAX_ROWS = 50_000
# With the task queue unreachable, a file up to this size is processed in the request instead (slower
# page, but it finishes); a larger one fails visibly rather than showing "Checking" for ever.
BROKER_DOWN_INLINE_LIMIT = 10_000
# A background check or apply with no sign of life for this long lost its task (a worker killed, a
# message lost): the beat task `csv_imports_resume_task` enqueues it again. Both are idempotent.
STALLED_AFTER = dt.timedelta(minutes=3)

COLUMNS = {
    CsvImportKind.PAYROLL_ENTRIES: bulk.PAYROLL_ENTRY_FIELDS,
    CsvImportKind.COMPLIANCE_ITEMS: bulk.COMPLIANCE_ITEM_FIELDS,
}
# What the downloadable template holds: every column the import reads, in its order, except `worker`
# and `run`, our own ids, which a file may use instead of `worker_external_id` / `run_external_id`.
TEMPLATE_ROWS = {
    CsvImportKind.PAYROLL_ENTRIES: [
        {"worker_external_id": "W-1001", "period_start": "2026-10-01", "status": "paid", "paid_at": "2026-10-31",
         "gross_amount": "4200.00", "currency": "EUR"},
        {"worker_external_id": "W-1002", "period_start": "2026-10-01", "status": "failed",
         "failure_reason": "IBAN rejected by bank", "gross_amount": "3900.00", "currency": "EUR"},
    ],
    CsvImportKind.COMPLIANCE_ITEMS: [
        {"worker_external_id": "W-1001", "kind": "right_to_work", "status": "verified", "expires_on": "2027-03-31",
         "evidence_reference": "DOC-778", "notes": "Checked against the passport"},
    ],
}  # fmt: skip
TEMPLATE_COLUMNS = {kind: [c for c in COLUMNS[kind] if c not in ("worker", "run")] for kind in TEMPLATE_ROWS}


def csv_template(kind: str) -> str:
    """The import's own format as a file to fill in: its header and example rows."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS[kind], lineterminator="\n")
    writer.writeheader()
    writer.writerows(TEMPLATE_ROWS[kind])
    return out.getvalue()


EXAMPLES = {kind: csv_template(kind) for kind in TEMPLATE_ROWS}


def parse_csv(*, kind: str, content: str) -> list[dict]:
    """Rows as dicts keyed by the known column names. Raises ValidationError for a file that
    cannot be read as a whole (no header, unknown columns, too many rows)."""
    if "\x00" in content:
        raise ValidationError(
            {
                "file": "The file contains NUL bytes, so it is not a plain-text CSV (perhaps UTF-16 or a "
                "spreadsheet). Export it as UTF-8 CSV."
            }
        )
    reader = csv.reader(io.StringIO(content))
    try:
        header = next(reader)
    except StopIteration as error:
        raise ValidationError({"file": "The file is empty."}) from error
    except csv.Error as error:
        raise ValidationError({"file": f"Not a readable CSV file: {error}."}) from error
    names = [name.strip().lower().replace(" ", "_") for name in header]
    known = COLUMNS[kind]
    unknown = [name for name in names if name and name not in known]
    if unknown:
        raise ValidationError({"file": f"Unknown column(s): {', '.join(unknown)}. Known columns: {', '.join(known)}."})
    if len(set(names)) != len(names):
        raise ValidationError({"file": "A column appears twice in the header."})
    rows = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            row = {name: (values[i] if i < len(values) else "") for i, name in enumerate(names) if name}
            if len(values) > len(names):
                row["__extra__"] = values[len(names) :]
            rows.append(row)
    except csv.Error as error:
        raise ValidationError({"file": f"The file breaks off at line {reader.line_num}: {error}."}) from error
    if len(rows) > MAX_ROWS:
        raise ValidationError({"file": f"At most {MAX_ROWS} rows per file; split it."})
    # Columns the file does not have are absent from the row (so "keep the current value"), and
    # empty cells of optional text columns mean "no change" as well.
    for row in rows:
        for name in ("expires_on", "evidence_reference", "notes"):
            if name in row and row[name].strip() == "":
                row.pop(name)
    return rows


@transaction.atomic
def csv_import_create(*, actor: Actor, kind: str, file_name: str, content: str) -> CsvImport:
    if not actor.is_provider:
        raise ValidationError("Only providers import payroll and compliance files.")
    rows = parse_csv(kind=kind, content=content)
    if not rows:
        raise ValidationError({"file": "The file has a header but no rows."})
    job = CsvImport(
        provider=Provider.objects.get(organization_id=actor.organization.id),
        created_by=actor.user,
        kind=kind,
        file_name=file_name[:255],
        content=content,
        total_rows=len(rows),
    )
    job.full_clean()
    job.save()
    return job


def _plan(job: CsvImport, rows: list[dict], *, lock: bool, on_progress=None) -> bulk.Plan:
    extra = {i: row.pop("__extra__") for i, row in enumerate(rows) if "__extra__" in row}
    if job.kind == CsvImportKind.PAYROLL_ENTRIES:
        plan = bulk.plan_payroll_entries(provider_id=job.provider_id, rows=rows, lock=lock, on_progress=on_progress)
    else:
        plan = bulk.plan_compliance_items(
            provider_id=job.provider_id,
            rows=rows,
            lock=lock,
            on_progress=on_progress,
            verified_by_id=job.created_by_id,
        )
    for index in extra:
        result = plan.results[index]
        if result.action != "error":
            bulk.drop_from_plan(plan, result)
        result.action = "error"
        result.errors["row"] = "The row has more cells than the header has columns."
    return plan


def _report(plan: bulk.Plan) -> list[dict]:
    return [{**result.as_dict(), "line": result.index + 2, "label": result.label} for result in plan.results]


def _store(job: CsvImport, plan: bulk.Plan, status: str) -> None:
    job.report = _report(plan)
    job.error_rows = plan.error_count
    job.changed_rows = plan.changed_count
    job.ok_rows = len(plan.results) - plan.error_count
    job.processed_rows = len(plan.results)
    job.status = status


def csv_import_check(*, import_id) -> CsvImport:
    """The dry run: what every row would change or what is wrong with it. Writes nothing but the
    report; progress is saved after each chunk so the page can show it."""
    job = CsvImport.objects.get(pk=import_id)
    CsvImport.objects.filter(pk=job.pk).update(status=CsvImportStatus.CHECKING, processed_rows=0)
    try:
        rows = parse_csv(kind=job.kind, content=job.content)

        def progress(done: int) -> None:
            # updated_at too: it is the sign of life `csv_imports_resume` looks at.
            CsvImport.objects.filter(pk=job.pk).update(processed_rows=done, updated_at=timezone.now())

        plan = _plan(job, rows, lock=False, on_progress=progress)
    except ValidationError as error:
        job.status, job.failure = CsvImportStatus.FAILED, " ".join(error.messages)
        job.save(update_fields=["status", "failure", "updated_at"])
        return job
    except OperationalError:
        raise  # transient: the task retries, the page keeps showing progress
    except Exception:
        csv_import_mark_failed(import_id=job.pk)
        raise
    _store(job, plan, CsvImportStatus.CHECKED)
    job.save()
    return job


def csv_import_apply(*, actor: Actor, import_id, good_rows_only: bool = False) -> CsvImport:
    """Apply a checked file in one transaction. The file is planned again under row locks (the
    data may have changed since the dry run); if any row is bad and the provider did not choose
    to apply only the good rows, nothing is written and the fresh report says why."""
    job = CsvImport.objects.get(pk=import_id, provider_id=actor.organization.id)
    if job.status not in (CsvImportStatus.CHECKED, CsvImportStatus.APPLYING):
        raise ValidationError("Run the dry run first; a file is applied once.")
    model = PayrollEntry if job.kind == CsvImportKind.PAYROLL_ENTRIES else ComplianceItem
    rows = parse_csv(kind=job.kind, content=job.content)
    user_id = str(actor.user.pk) if actor.user else (str(job.created_by_id) if job.created_by_id else None)
    try:
        with (
            transaction.atomic(),
            pghistory.context(channel="csv", csv_file=job.file_name, csv_import=str(job.pk), user=user_id),
        ):
            # A double click (or a retried task) racing this call: only one of them applies the file.
            if CsvImport.objects.select_for_update().get(pk=job.pk).status not in (
                CsvImportStatus.CHECKED,
                CsvImportStatus.APPLYING,
            ):
                raise ValidationError("This file has just been applied (or failed) in another request.")
            plan = _plan(job, rows, lock=True)
            if plan.error_count and not good_rows_only:
                raise _RowsWentBad(plan)
            overwritten = _overwrites_unseen_values(job.report, plan)
            if overwritten:
                raise _RowsWentBad(plan, overwritten=overwritten)
            applied = bulk.apply_plan(plan, model)
            if job.kind == CsvImportKind.PAYROLL_ENTRIES:
                payroll_runs_refresh_status(run_ids={obj.run_id for obj in plan.creates + plan.updates})
            source = "providers.PayrollEntry" if model is PayrollEntry else "providers.ComplianceItem"
            notify_workers_changed(
                [r.worker_id for r in plan.results if r.action in ("create", "update")],
                source,
                changes=plan_changes(plan, source),
            )
            _store(job, plan, CsvImportStatus.APPLIED)
            job.applied_rows = applied
            job.applied_at = timezone.now()
            job.good_rows_only = good_rows_only
            job.save()
    except _RowsWentBad as bad:
        # Saved after the rollback, so the provider sees the fresh report of what went wrong.
        _store(job, bad.plan, CsvImportStatus.CHECKED)
        job.save()
        if bad.overwritten:
            raise ValidationError(
                f"{len(bad.overwritten)} row(s) would now overwrite values changed since the dry run (lines "
                f"{', '.join(str(i + 2) for i in bad.overwritten[:10])}), so nothing was applied. The report "
                "shows the changes as they are now; apply again if they are still right."
            ) from None
        raise ValidationError(
            f"{bad.plan.error_count} row(s) are wrong, so nothing was applied. Fix the file, or apply only the "
            "good rows."
        ) from None
    except IntegrityError as error:
        CsvImport.objects.filter(pk=job.pk).update(status=CsvImportStatus.CHECKED)
        raise ValidationError(
            "The file conflicts with a change made at the same time, so nothing was applied. Apply it again."
        ) from error
    return job


CRASH_MESSAGE = (
    "Something went wrong while processing this file, so nothing was applied. Upload it again; if it "
    "fails again, send the file to support."
)


def csv_import_mark_failed(*, import_id, failure: str = CRASH_MESSAGE) -> None:
    """An unexpected error in a dry run or an apply ends the import as failed (nothing was
    applied: the apply is one transaction), so its page stops showing progress that never comes."""
    CsvImport.objects.filter(pk=import_id).exclude(status=CsvImportStatus.APPLIED).update(
        status=CsvImportStatus.FAILED, failure=failure, updated_at=timezone.now()
    )


def _overwrites_unseen_values(report: list[dict], plan: bulk.Plan) -> list[int]:
    """Rows whose write would replace a value other than the one the dry run showed (someone
    changed the entry since): applying them would silently overwrite that change."""
    shown = {row["index"]: row.get("changes") or {} for row in report or []}
    overwritten = []
    for result in plan.results:
        if result.action not in ("create", "update"):
            continue
        seen = shown.get(result.index, {})
        if any(name not in seen or seen[name][0] != old for name, (old, _new) in result.changes.items()):
            overwritten.append(result.index)
    return overwritten


class _RowsWentBad(Exception):
    def __init__(self, plan: bulk.Plan, overwritten: list[int] | None = None):
        super().__init__("rows went bad since the dry run")
        self.plan = plan
        self.overwritten = overwritten or []


def actor_for_import(*, import_id, user_id=None) -> Actor:
    """The actor a background task applies a file as: the provider, and the user who asked."""
    job = CsvImport.objects.select_related("provider__organization").get(pk=import_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return Actor(organization=job.provider.organization, user=user)


# --- running in the background, and when the background is unreachable -----------------------------


def enqueue(task, *args) -> bool:
    """Publish `task`; False when the broker is unreachable (Redis down), never an exception: the
    upload or apply has committed, and the request must answer."""
    try:
        task.delay(*args)
    except Exception:
        logger.warning("Could not enqueue %s%r; processing the CSV import without a worker", task.name, args)
        return False
    return True


BROKER_DOWN_MESSAGE = (
    "The background task queue is unreachable, so this file ({rows} rows) could not be processed; nothing "
    "was applied. Upload it again later, or split it into files of at most {limit} rows."
)


def broker_down_fallback(job: CsvImport, process) -> None:
    """The task could not be enqueued: do the work in this request if the file is small enough, else
    end the import as failed with a message saying why. Either way the page stops showing progress."""
    if job.total_rows <= BROKER_DOWN_INLINE_LIMIT:
        try:
            process()
        except ValidationError as error:  # an apply whose rows went bad: the fresh report says why
            logger.info("CSV import %s not applied: %s", job.pk, " ".join(error.messages))
        except Exception:
            logger.exception("CSV import %s failed while processed without a worker", job.pk)
            csv_import_mark_failed(import_id=job.pk)
        return
    csv_import_mark_failed(
        import_id=job.pk, failure=BROKER_DOWN_MESSAGE.format(rows=job.total_rows, limit=BROKER_DOWN_INLINE_LIMIT)
    )


def csv_imports_resume(*, check_task, apply_task, stalled_after: dt.timedelta = STALLED_AFTER) -> int:
    """Beat: enqueue again the background checks and applies that show no sign of life (their task
    was lost with a killed worker or a restarted broker). Safe to repeat: a check only writes its
    report, and an apply runs under the import's row lock and only from `applying` or `checked`, so
    a duplicate finds it applied and does nothing. An apply still running holds that lock and is
    skipped. The tasks are passed in (by `providers.tasks`), as this engine never imports them.
    Returns how many were enqueued."""
    cutoff = timezone.now() - stalled_after
    resumed = 0
    with transaction.atomic():
        stalled = list(
            CsvImport.objects.select_for_update(skip_locked=True)
            .filter(status__in=(CsvImportStatus.CHECKING, CsvImportStatus.APPLYING), updated_at__lt=cutoff)
            .only("id", "status", "good_rows_only", "apply_requested_by_id")
        )
        for job in stalled:
            if job.status == CsvImportStatus.CHECKING:
                resumed += enqueue(check_task, str(job.pk))
            else:
                user_id = str(job.apply_requested_by_id) if job.apply_requested_by_id else None
                resumed += enqueue(apply_task, str(job.pk), user_id, job.good_rows_only)
        if stalled:
            CsvImport.objects.filter(pk__in=[job.pk for job in stalled]).update(updated_at=timezone.now())
    return resumed
