"""The full risk scan at scale (DESIGN §11): seconds, SQL statements (and per batch), rows written,
peak memory, and what a rescan that changes nothing writes."""

import datetime as dt
import resource
import time
from contextlib import contextmanager, nullcontext

from django.db import connection, transaction
from django.utils import timezone

from jurisdictions import DEFAULT_CODE, all_jurisdictions
from risks.models import RiskFlag
from risks.services.scan import BATCH_SIZE, risk_scan_run
from workers.models import Worker

WRITES = ("INSERT", "UPDATE", "DELETE")


class StatementCounter:
    """Counts every statement the connection sends and the rows its writes touch."""

    def __init__(self):
        self.statements = 0
        self.by_verb: dict[str, int] = {}
        self.rows_written = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        self.by_verb[verb] = self.by_verb.get(verb, 0) + 1
        result = execute(sql, params, many, context)
        if verb in WRITES:
            cursor = context["cursor"]
            self.rows_written += max(cursor.rowcount, 0)
        return result


@contextmanager
def counting():
    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        yield counter


def _flag_table_bytes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [RiskFlag._meta.db_table])
        return cursor.fetchone()[0]


def scan_once(*, batch_size: int = BATCH_SIZE, today: dt.date | None = None) -> dict:
    """One full scan on the current database, measured."""
    workers = Worker.objects.count()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with counting() as counter:
        started, cpu_started = time.perf_counter(), time.process_time()
        report = risk_scan_run(batch_size=batch_size, today=today)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    batches = -(-workers // batch_size) or 1
    return {
        "workers": workers,
        "seconds": round(seconds, 2),
        # This process's CPU time (the rules, the Python side of the scan): steadier than wall time
        # on a shared machine; the database's own time is in `seconds` only.
        "cpu_seconds": round(cpu_seconds, 2),
        "statements": counter.statements,
        "statements_per_batch": round(counter.statements / batches, 1),
        "by_verb": counter.by_verb,
        "rows_written": counter.rows_written,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_mb": round(rss_before / 1024, 1),
        **{f"flags_{key}": value for key, value in report.counts().items() if key != "workers"},
    }


def scan_bench(*, rescans: int = 2, days_later: int = 0) -> dict:
    """`rescans` full scans back to back: the first catches up with the day, the next ones should
    change (and write) nothing. The flags table's size shows whether they bloat it. With `days_later`,
    the scans run as of that many days after today, as the nightly scan would with nothing changed
    meanwhile but the date, in a transaction rolled back at the end (the bench data stays as it was)."""
    today = timezone.localdate() + dt.timedelta(days=days_later) if days_later else None
    runs = []
    # Only a scan as of a later day is rolled back; today's run commits batch by batch, as in production.
    with transaction.atomic() if days_later else nullcontext():
        for _ in range(rescans):
            size_before = _flag_table_bytes()
            run = scan_once(today=today)
            run["flag_table_mb_before"] = round(size_before / 2**20, 1)
            run["flag_table_mb_after"] = round(_flag_table_bytes() / 2**20, 1)
            runs.append(run)
        if days_later:
            transaction.set_rollback(True)
    return {"runs": runs, "packs": sorted(code for code in all_jurisdictions() if code != DEFAULT_CODE)}
