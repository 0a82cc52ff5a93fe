"""A Celery worker SIGKILLed (its whole process group: no shutdown handler, no ack) in the middle of
a full risk scan, a CSV apply and a webhook POST. After a new worker starts, nothing is duplicated
(one open flag per subject and rule; an import applied once; one POST per logged attempt) and
nothing is lost (acks_late: Redis hands the unacknowledged message to the next worker after the
visibility timeout, 3 s here; the tasks are idempotent).

"Mid-way" is made deterministic: the test holds a table lock the task's write needs, waits until
PostgreSQL shows the task's query waiting on it, and kills the worker there."""

import datetime as dt
import http.server
import threading
import time

import psycopg2
import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.tests.factories import make_actor
from integrations import services as webhooks
from integrations.events import webhook_events_record_changes
from integrations.models import WebhookDelivery, WebhookDeliveryAttempt
from integrations.tests.factories import WebhookEndpointFactory
from outstaff.signals import ResourceChange
from providers import csv_import
from providers.models import CsvImport, PayrollEntry
from providers.tests.factories import PayrollEntryFactory, PayrollRunFactory
from risks.models import RiskFlag, RiskScanRun
from risks.tests.scenarios import contractor_directed_full_time
from workers.tests.factories import WorkerFactory

from .processes import child_env, current_database_url, send_task, wait_for

VISIBILITY = 3
RULE = "contractor_full_time_direction"


@pytest.fixture
def worker_env(redis_server):
    return child_env(REDIS_URL=redis_server.url, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY))


class TableLock:
    """An open transaction of the test's own holding EXCLUSIVE on a table: reads go on, writes wait."""

    def __init__(self, table: str):
        self.connection = psycopg2.connect(current_database_url())
        with self.connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # nosec - a fixed table name

    def release(self):
        self.connection.rollback()
        self.connection.close()


def _waiting_on_lock(fragment: str) -> bool:
    with psycopg2.connect(current_database_url()) as probe, probe.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' AND query ILIKE %s",
            [connection.settings_dict["NAME"], f"%{fragment}%"],
        )
        found = cursor.fetchone()[0] > 0
    probe.close()
    return found


def _backends_gone(fragment: str) -> bool:
    """The killed worker's PostgreSQL session has ended (and rolled its transaction back)."""
    with psycopg2.connect(current_database_url()) as probe, probe.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND query ILIKE %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"], f"%{fragment}%"],
        )
        gone = cursor.fetchone()[0] == 0
    probe.close()
    return gone


def _kill_mid_write(worker, lock: TableLock, fragment: str) -> None:
    wait_for(lambda: _waiting_on_lock(fragment), timeout=60, what=f"the task to wait on {fragment}")
    worker.kill()
    lock.release()  # the orphaned session now finds its client gone and rolls back
    wait_for(lambda: _backends_gone(fragment), timeout=30, what="the killed worker's session to end")
    time.sleep(VISIBILITY + 0.5)  # the unacknowledged message becomes visible again


def test_a_full_scan_killed_mid_way_is_redone_once(worker_env, start_worker):
    workers = [contractor_directed_full_time()[0] for _ in range(4)]
    # One flag opened by an earlier scan: the redone scan must keep it, not add a second one.
    from risks.services import risk_scan_run

    risk_scan_run(worker_ids=[workers[0].id])
    earlier = RiskFlag.objects.get(worker=workers[0], rule_code=RULE)
    RiskScanRun.objects.all().delete()

    worker = start_worker(worker_env)
    lock = TableLock(RiskFlag._meta.db_table)
    send_task(worker_env["REDIS_URL"], "risks.tasks.risk_scan_full_task")
    _kill_mid_write(worker, lock, RiskFlag._meta.db_table)
    assert RiskFlag.objects.filter(rule_code=RULE).count() == 1  # nothing of the killed batch committed
    assert not RiskScanRun.objects.exists()

    start_worker(worker_env)
    wait_for(lambda: RiskScanRun.objects.filter(scope="full").exists(), timeout=60, what="the redelivered scan")
    for subject in workers:
        assert RiskFlag.objects.filter(worker=subject, rule_code=RULE, status="open").count() == 1
    assert RiskFlag.objects.get(worker=workers[0], rule_code=RULE).pk == earlier.pk
    assert RiskScanRun.objects.count() == 1


def test_a_csv_apply_killed_mid_transaction_is_applied_exactly_once(worker_env, start_worker):
    run = PayrollRunFactory(country="DE", period_start=dt.date(2026, 10, 1))
    people = [WorkerFactory(provider=run.provider, external_id=f"W-{n}") for n in range(3)]
    entries = [PayrollEntryFactory(run=run, worker=person) for person in people]
    officer = make_actor(run.provider.organization, role="payroll_officer")
    content = "worker_external_id,period_start,status,failure_reason\n" + "".join(
        f"W-{n},2026-10-01,paid,\n" for n in range(3)
    )
    job = csv_import.csv_import_create(actor=officer, kind="payroll_entries", file_name="oct.csv", content=content)
    job = csv_import.csv_import_check(import_id=job.pk)
    assert job.status == "checked" and job.changed_rows == 3
    # What csv_import_start_apply does for a large file, published on this test's broker.
    CsvImport.objects.filter(pk=job.pk).update(status="applying", apply_requested_by=officer.user)

    worker = start_worker(worker_env)
    events = PayrollEntry.events.rel.related_model
    lock = TableLock(events._meta.db_table)  # the audit trigger of the apply's UPDATE waits here
    send_task(
        worker_env["REDIS_URL"], "providers.tasks.csv_import_apply_task", [str(job.pk), str(officer.user.pk), False]
    )
    _kill_mid_write(worker, lock, PayrollEntry._meta.db_table)
    job.refresh_from_db()
    assert job.status == "applying"
    assert set(PayrollEntry.objects.filter(run=run).values_list("status", flat=True)) == {"scheduled"}

    start_worker(worker_env)
    wait_for(lambda: CsvImport.objects.get(pk=job.pk).status == "applied", timeout=60, what="the redelivered apply")
    job.refresh_from_db()
    assert job.applied_rows == 3
    assert set(PayrollEntry.objects.filter(run=run).values_list("status", flat=True)) == {"paid"}
    # Applied once: one audit row per entry for the change, not two.
    changed = events.objects.filter(pgh_obj__in=entries, status="paid")
    assert changed.count() == 3


class _SlowReceiver:
    """Holds the first POST open (the worker is killed meanwhile), answers the next ones at once."""

    def __init__(self):
        self.requests: list[dict] = []
        self.release = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"webhook-id": self.headers["webhook-id"]})
                if len(receiver.requests) == 1:
                    receiver.release.wait(30)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.release.set()
        self.server.shutdown()


def test_a_webhook_post_killed_mid_request_is_sent_again_and_logged_per_attempt(worker_env, start_worker):
    receiver = _SlowReceiver()
    try:
        subject = WorkerFactory()
        WebhookEndpointFactory(organization=subject.client, url=receiver.url)
        with transaction.atomic():  # the outbox rows, as a committed change writes them
            change = ResourceChange.of(subject, "updated", ["first_name"])
            assert webhook_events_record_changes(changes=[change]) == 1
        delivery = WebhookDelivery.objects.get()

        worker = start_worker(worker_env)
        send_task(worker_env["REDIS_URL"], "integrations.tasks.webhook_deliveries_dispatch_task")
        wait_for(lambda: len(receiver.requests) == 1, timeout=60, what="the first POST")
        worker.kill()
        receiver.release.set()
        delivery.refresh_from_db()
        assert delivery.status == "pending" and delivery.attempts == 1
        assert list(WebhookDeliveryAttempt.objects.values_list("error", flat=True)) == [webhooks.ATTEMPT_IN_FLIGHT]
        # The killed dispatcher's claim lease (10 s per claimed delivery + 60 s) runs out: move the
        # clock forward instead of waiting 70 s.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())

        start_worker(worker_env)
        send_task(worker_env["REDIS_URL"], "integrations.tasks.webhook_deliveries_dispatch_task")  # beat, each minute
        wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "delivered", timeout=60, what="delivery")
        delivery.refresh_from_db()
        attempts = list(WebhookDeliveryAttempt.objects.filter(delivery=delivery).order_by("attempted_at", "id"))
        assert delivery.attempts == 2 and len(attempts) == 2 == len(receiver.requests)
        assert attempts[0].error == webhooks.ATTEMPT_INTERRUPTED and attempts[0].status_code is None
        assert attempts[1].status_code == 200 and attempts[1].error == ""
        assert {r["webhook-id"] for r in receiver.requests} == {str(delivery.event_id)}  # receivers de-duplicate
    finally:
        receiver.stop()
