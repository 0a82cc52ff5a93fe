import datetime as dt

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.seed import bench_seed


class Command(BaseCommand):
    help = (
        "Generate benchmark data at scale (DESIGN §11) into its own database: one whose name contains "
        "'bench' (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/outstaff_bench). Deterministic by "
        "--seed and --today."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="as-of date (default today)")
        parser.add_argument("--reset", action="store_true", help="empty the bench database first")
        parser.add_argument("--no-scan", action="store_true", help="skip the risk scan that opens the flags")

    def handle(self, *args, workers, seed, today, reset, no_scan, **options):
        name = connection.settings_dict["NAME"]
        if "bench" not in name:
            raise CommandError(
                f"Refusing to seed database {name!r}: seed_bench writes only into a database whose name "
                "contains 'bench' (set DATABASE_URL=postgres://…/outstaff_bench)."
            )
        if workers < 100:
            raise CommandError("Give --workers 100 or more.")
        call_command("migrate", verbosity=0, interactive=False)
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        if reset:
            with connection.cursor() as cursor:
                cursor.execute(
                    "TRUNCATE "
                    + ", ".join(connection.ops.quote_name(t) for t in tables if t != "django_migrations")
                    + " CASCADE"
                )
        else:
            from accounts.models import Organization

            if Organization.objects.exists():
                raise CommandError(f"Database {name!r} already holds data: add --reset to replace it.")
        started = dt.datetime.now()
        data = bench_seed(workers=workers, seed=seed, today=today, scan=not no_scan, vacuum=True, stdout=self.stdout)
        seconds = (dt.datetime.now() - started).total_seconds()
        self.stdout.write("")
        self.stdout.write("| table | rows |\n|---|---|")
        for table, count in data.counts.items():
            self.stdout.write(f"| {table} | {count:,} |")
        self.stdout.write(f"\nseeded {name} in {seconds:.0f} s (seed {seed})")
