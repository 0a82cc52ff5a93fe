import json
import subprocess  # nosec B404 - reads the commit with a fixed git argv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from bench.load import load_run, load_table


class Command(BaseCommand):
    help = (
        "Load run (DESIGN §11): gunicorn gthread 2×4 under production settings on 127.0.0.1:PORT, driven by "
        "wrk at 16 connections; prints a table of the API lists (with their raw-SQL baseline ratio) and pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8801)
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--duration", type=int, default=10, help="seconds per target")
        parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds of load before each target")
        parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
        parser.add_argument(
            "--only",
            nargs="+",
            default=None,
            help="only the targets whose name contains one of these (with their baselines)",
        )
        parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")

    def handle(self, *args, port, connections, duration, warmup, sizes, only, json: Path | None, **options):
        report = load_run(
            port=port,
            connections=connections,
            duration=duration,
            warmup=warmup,
            sizes=sizes,
            only=only,
            stdout=self.stdout,
        )
        commit = subprocess.run(  # nosec B603 B607 - fixed git argv (the commit for the report)
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=settings.BASE_DIR
        ).stdout.strip()
        report["commit"] = commit
        self.stdout.write("")
        self.stdout.write(load_table(report))
        self.stdout.write(
            f"\ncommit {commit}; {connections} connections, {duration} s per target after {warmup} s unmeasured; "
            f"{report['targets']}"
        )
        if json is not None:
            json.write_text(_dumps(report))


def _dumps(report) -> str:
    return json.dumps(report, indent=2, default=str)
