"""Where a CSV import's dry run and apply run: small files while the user waits, large ones on a
Celery worker with progress on the page.

This sits above `providers.tasks`, which calls the engine in `providers.csv_import`; keeping the
queueing here means the engine never imports the tasks that import it (no cycle hidden behind
function-local imports)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor

from . import csv_import
from .choices import CsvImportStatus
from .models import CsvImport
from .tasks import csv_import_apply_task, csv_import_check_task

INLINE_ROW_LIMIT = 2000


def csv_import_start_check(*, job: CsvImport) -> CsvImport:
    """Small files are checked while the user waits; large ones by a worker, with progress."""
    if job.total_rows <= INLINE_ROW_LIMIT:
        return csv_import.csv_import_check(import_id=job.pk)
    CsvImport.objects.filter(pk=job.pk).update(status=CsvImportStatus.CHECKING, updated_at=timezone.now())

    def start() -> None:
        if not csv_import.enqueue(csv_import_check_task, str(job.pk)):
            csv_import.broker_down_fallback(job, lambda: csv_import.csv_import_check(import_id=job.pk))

    transaction.on_commit(start)
    job.refresh_from_db()
    return job


def csv_import_start_apply(*, actor: Actor, job: CsvImport, good_rows_only: bool) -> CsvImport:
    if job.status != CsvImportStatus.CHECKED:
        raise ValidationError("This file is not waiting to be applied.")
    if job.error_rows and not good_rows_only:
        raise ValidationError(
            f"{job.error_rows} row(s) are wrong, so the file cannot be applied as a whole. Fix the file, or "
            "apply only the good rows."
        )
    if job.total_rows <= INLINE_ROW_LIMIT:
        return csv_import.csv_import_apply(actor=actor, import_id=job.pk, good_rows_only=good_rows_only)
    user_id = str(actor.user.pk) if actor.user else None
    # Who asked and how are stored with the import, so a resumed apply (csv_imports_resume) does the same.
    CsvImport.objects.filter(pk=job.pk).update(
        status=CsvImportStatus.APPLYING,
        good_rows_only=good_rows_only,
        apply_requested_by=actor.user,
        updated_at=timezone.now(),
    )

    def start() -> None:
        if not csv_import.enqueue(csv_import_apply_task, str(job.pk), user_id, good_rows_only):
            csv_import.broker_down_fallback(
                job, lambda: csv_import.csv_import_apply(actor=actor, import_id=job.pk, good_rows_only=good_rows_only)
            )

    transaction.on_commit(start)
    job.refresh_from_db()
    return job
