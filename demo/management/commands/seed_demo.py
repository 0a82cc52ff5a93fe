from django.core.management.base import BaseCommand

from demo import DEMO_LOGINS
from demo.services import demo_counts, demo_seed


class Command(BaseCommand):
    help = (
        "Create or refresh the demo data (2 clients, 3 providers, ~40 workers with contracts, assignments, "
        "payroll, compliance, check-ins, screenings and planted risk cases). Safe to run again: it changes "
        "nothing that already matches."
    )

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true", help="Also print the demo logins.")

    def handle(self, *args, print_logins: bool = False, **options):
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
