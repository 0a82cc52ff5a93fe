import json
import os
import subprocess  # nosec B404 - runs this project's own scan in a child process
import sys
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.scan import scan_bench
from jurisdictions import all_jurisdictions, limit_packs


class Command(BaseCommand):
    help = (
        "Full risk scans at scale (DESIGN §11): seconds, statements, rows written, peak memory. With "
        "--databases (e.g. outstaff_bench_10k outstaff_bench) each database is scanned in its own process "
        "and the table shows the ratio of each to the first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--databases", nargs="+", default=None)
        parser.add_argument("--rescans", type=int, default=2, help="full scans in a row per database")
        parser.add_argument("--json", action="store_true", help="print the raw result as JSON")
        parser.add_argument(
            "--days-later",
            type=int,
            default=0,
            help="scan as of this many days after today (the next nightly scan with no data changed), in a "
            "transaction rolled back at the end",
        )
        parser.add_argument(
            "--packs",
            nargs="+",
            default=None,
            metavar="CODE",
            help="load only these jurisdiction packs (e.g. DE PL GB US US-CA); other countries get the default "
            "pack. Default: every pack shipped.",
        )

    def handle(self, *args, databases, rescans, json: bool, packs=None, days_later=0, **options):
        # Measured as production runs it: with DEBUG on, Django keeps the SQL of the last 9,000
        # statements (each batch's lists of 500 ids), which made the peak memory grow with the database.
        settings.DEBUG = False
        if packs:
            unknown = sorted({code.upper() for code in packs} - set(all_jurisdictions()))
            if unknown:
                raise CommandError(f"No such pack: {', '.join(unknown)}.")
            limit_packs(packs)
        if not databases:
            if "bench" not in connection.settings_dict["NAME"]:
                raise CommandError("bench_scan runs on a bench database (its name contains 'bench').")
            result = scan_bench(rescans=rescans, days_later=days_later)
            self.stdout.write(_json(result) if json else _table({connection.settings_dict["NAME"]: result}))
            return
        results = {}
        for name in databases:
            url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x"))
            env = {**os.environ, "DATABASE_URL": urlunsplit(url._replace(path="/" + name))}
            self.stdout.write(f"scanning {name} ...")
            output = subprocess.run(  # nosec B603 - argv built here: this interpreter and manage.py
                [
                    sys.executable,
                    "manage.py",
                    "bench_scan",
                    "--json",
                    "--rescans",
                    str(rescans),
                    "--days-later",
                    str(days_later),
                    *(["--packs", *packs] if packs else []),
                ],
                env=env,
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
            )
            if output.returncode:
                raise CommandError(output.stderr[-3000:])
            results[name] = _loads(output.stdout)
        self.stdout.write(_table(results))


def _json(value) -> str:
    return json.dumps(value, default=str)


def _loads(text: str):
    return json.loads(text.strip().splitlines()[-1])


def _table(results: dict) -> str:
    lines = [
        "| database | scan | workers | seconds | × first db | CPU s | statements | per batch | rows written | "
        "flags opened/resolved | flag table MB before → after | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    first = None
    for name, result in results.items():
        if "packs" in result:
            name = f"{name} ({len(result['packs'])} packs)"
        for index, run in enumerate(result["runs"], start=1):
            if first is None:
                first = {}
            ratio = ""
            if index in first:
                ratio = f"{run['seconds'] / first[index]:.1f}×" if first[index] else ""
            else:
                first[index] = run["seconds"]
            lines.append(
                f"| {name} | {index} | {run['workers']:,} | {run['seconds']:.1f} | {ratio} | "
                f"{run.get('cpu_seconds', '')} | {run['statements']:,} | "
                f"{run['statements_per_batch']} | {run['rows_written']:,} | {run['flags_opened']}/"
                f"{run['flags_resolved']} | {run['flag_table_mb_before']} → {run['flag_table_mb_after']} | "
                f"{run['peak_rss_mb']} |"
            )
    return "\n".join(lines)
