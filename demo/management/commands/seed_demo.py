from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Organization
from demo import DEMO_LOGINS
from demo.services import demo_counts, demo_seed
from risks.services import ScanAlreadyRunning, rescans_covered, rescans_deferred, risk_scan_run


class Command(BaseCommand):
    help = (
        "Create or refresh the demo data (2 clients, 3 providers, ~40 workers with contracts, assignments, "
        "payroll, compliance, check-ins, screenings and planted risk cases). Safe to run again: it changes "
        "nothing that already matches."
    )

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true", help="Also print the demo logins.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only a database without organizations (what `make run` uses: a second run keeps "
            "the data as you left it).",
        )
        parser.add_argument(
            "--i-know-this-is-public",
            action="store_true",
            dest="public_ok",
            help="Seed even under production settings. The demo logins and passwords are published in the "
            "README: anyone who can reach this deployment can log in as a superuser.",
        )

    def handle(self, *args, print_logins: bool = False, if_empty: bool = False, public_ok: bool = False, **options):
        if getattr(settings, "OUTSTAFF_PRODUCTION", False) and not public_ok:
            raise CommandError(
                "Refusing to load demo data under production settings: it creates a superuser and other accounts "
                "whose passwords are published in the README. For a throw-away trial that only you can reach, run "
                "again with --i-know-this-is-public."
            )
        if if_empty and Organization.objects.exists():
            self.stdout.write("The database already has data; leaving it as it is (run without --if-empty to refresh).")
            if print_logins:
                self.print_logins()
            return
        # The full scan below covers every change the seed makes: enqueue no one-worker rescans of
        # the same data meanwhile (`make run` would otherwise start with dozens of them queued).
        with rescans_deferred() as changed_workers:
            result = demo_seed()
        created, updated = sum(result.created.values()), sum(result.updated.values())
        deleted = sum(result.deleted.values())
        if result.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data seeded in {result.seconds:.1f} s: {created} rows created, {updated} updated, "
                    f"{deleted} deleted."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Demo data already up to date ({result.seconds:.1f} s)."))
        if result.changed:
            # Scan now rather than wait for the worker to drain the queued re-evaluations: the
            # planted cases are on the risk page the moment the demo opens.
            scan_requested_at = timezone.now()
            try:
                report = risk_scan_run()
            except ScanAlreadyRunning:
                self.stdout.write("A risk scan is already running; the flags appear when it finishes.")
            else:
                rescans_covered(worker_ids=changed_workers, before=scan_requested_at)
                self.stdout.write(f"Risk scan: {len(report.opened)} flags opened, {len(report.resolved)} resolved.")
        for reason in result.skipped:
            self.stderr.write(self.style.WARNING(f"Left as it is (changed since it was seeded): {reason}"))
        counts = demo_counts()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
        if print_logins:
            self.print_logins()

    def print_logins(self) -> None:
        width = max(len(email) for email, _, _ in DEMO_LOGINS)
        self.stdout.write("")
        self.stdout.write(f"{'Login':<{width}}  {'Password':<14}  Who")
        for email, password, description in DEMO_LOGINS:
            self.stdout.write(f"{email:<{width}}  {password:<14}  {description}")
