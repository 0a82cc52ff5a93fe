"""Retention of uploaded CSV files (docs/privacy.md): an import's file and per-row report name
workers (their external ids, notes, reasons) and are kept only as long as a provider needs to look
back at what it uploaded. After CSV_IMPORT_RETENTION without a change, the file and the report are
cleared; the import stays with its file name, counters, status and who applied it, the record of
what was done (the applied changes themselves are in the rows' audit history)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from .choices import CsvImportStatus
from .models import CsvImport

CSV_IMPORT_RETENTION = dt.timedelta(days=30)
PURGED_FAILURE = "The file was deleted after 30 days (retention); upload it again to apply it."


def csv_imports_purge(*, older_than: dt.timedelta = CSV_IMPORT_RETENTION) -> int:
    """Clear the file and report of every import untouched for `older_than`; returns how many. A
    checked import never applied can no longer be applied: it becomes `failed`, saying why. An
    import still checking or applying is left to `csv_imports_resume_task`."""
    stale = CsvImport.objects.filter(updated_at__lt=timezone.now() - older_than).exclude(content="", report=[])
    now = timezone.now()
    purged = stale.filter(status__in=[CsvImportStatus.APPLIED, CsvImportStatus.FAILED]).update(
        content="", report=[], updated_at=now
    )
    purged += stale.filter(Q(status=CsvImportStatus.CHECKED) | Q(status=CsvImportStatus.UPLOADED)).update(
        content="", report=[], status=CsvImportStatus.FAILED, failure=PURGED_FAILURE, updated_at=now
    )
    return purged
