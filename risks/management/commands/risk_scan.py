"""`python manage.py risk_scan [--worker UUID ...] [--today YYYY-MM-DD]`: run the risk scan now, in
this process, and print which flags opened, stayed open and resolved."""

import datetime as dt
import uuid

from django.core.management.base import BaseCommand, CommandError

from risks.services import ScanAlreadyRunning, risk_scan_run


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as error:
        raise CommandError(f"Not a worker id (UUID): {value}") from error


class Command(BaseCommand):
    help = "Run the risk scan synchronously (all workers, or --worker UUID) and print what changed."

    def add_arguments(self, parser):
        parser.add_argument("--worker", action="append", default=[], metavar="UUID", help="Scan only this worker.")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="Evaluate as of this date.")
        parser.add_argument("--quiet", action="store_true", help="Print the totals only.")

    def handle(self, *args, worker, today, quiet, **options):
        ids = [_uuid(value) for value in worker] or None
        try:
            report = risk_scan_run(worker_ids=ids, today=today)
        except ScanAlreadyRunning as error:
            raise CommandError(f"{error} Try again when it has finished.") from error
        sections = (
            ("Opened", report.opened),
            ("Reopened (evidence changed)", report.reopened),
            ("Escalated", report.escalated),
            ("Still open", report.still_open),
            ("Resolved", report.resolved),
        )
        if not quiet:
            for title, changes in sections:
                if not changes:
                    continue
                count = report.still_open_count if changes is report.still_open else len(changes)
                listed = f", the first {len(changes)} listed" if count > len(changes) else ""
                self.stdout.write(self.style.MIGRATE_HEADING(f"{title} ({count}{listed}):"))
                for change in changes:
                    self.stdout.write(
                        f"  [{change.severity}] {change.rule_code} · {change.worker_name} — {change.summary}"
                    )
        self.stdout.write(
            self.style.SUCCESS(
                f"Scanned {report.workers} worker(s) as of {report.today.isoformat()}: "
                f"{len(report.opened)} opened, {report.still_open_count} still open, {len(report.resolved)} resolved."
            )
        )
