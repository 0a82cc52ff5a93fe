"""Erasure's part in stored CSV imports (docs/privacy.md): the uploaded file and its per-row report
are kept (the import is the record of what a provider applied), but the rows about an erased person
have their identifying cells and free text replaced, and the report entries of those rows too."""

import csv
import dataclasses
import io

from outstaff.pseudonymise import ERASED_TEXT, Person

from .models import CsvImport

# The CSV column of free text about the worker that erasure clears in the live rows too (a compliance
# item's notes); payroll's reasons are kept there as in the entries, with the person's name replaced.
FREE_TEXT_COLUMNS = frozenset({"notes"})


def _scrub_file(content: str, person: Person) -> tuple[str, set[int]]:
    """The file with the person's rows rewritten, and the 0-based indexes of those data rows."""
    rows = list(csv.reader(io.StringIO(content)))
    if not rows:
        return content, set()
    header = [name.strip().lower().replace(" ", "_") for name in rows[0]]
    touched = set()
    for index, row in enumerate(rows[1:]):
        if not person.row_is_about(row):
            continue
        touched.add(index)
        for position, cell in enumerate(row):
            column = header[position] if position < len(header) else ""
            if column in FREE_TEXT_COLUMNS and cell.strip():
                row[position] = ERASED_TEXT
            else:
                row[position] = person.scrub_text(cell)
    if not touched:
        return content, touched
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue(), touched


def csv_imports_pseudonymise(*, provider_id, person: Person) -> int:
    """Rewrite the provider's stored imports that mention `person`; returns how many changed."""
    needles = person.needles()
    if not needles:
        return 0
    changed = 0
    # The report entry of a row about the person is about them whole; any other entry (a colleague's
    # row) loses only the person's full name, e-mail or external id, never a same-sounding first name.
    report_person = dataclasses.replace(person, free_text_fields=person.free_text_fields | FREE_TEXT_COLUMNS)
    others = dataclasses.replace(person, names={}, free_text_fields=frozenset())
    for job in CsvImport.objects.filter(provider_id=provider_id).only("id", "content", "report", "file_name"):
        if not any(person.mentioned_in(text) for text in (job.content, job.file_name, str(job.report))):
            continue
        content, touched = _scrub_file(job.content, person)
        report = [
            report_person.scrub(entry) if entry.get("index") in touched else others.scrub(entry)
            for entry in job.report or []
        ]
        file_name = person.scrub_text(job.file_name)
        if (content, report, file_name) != (job.content, job.report, job.file_name):
            CsvImport.objects.filter(pk=job.pk).update(content=content, report=report, file_name=file_name)
            changed += 1
    return changed
