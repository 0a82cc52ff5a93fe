"""The scan through a real Celery worker (not eager mode), on the broker the settings configure:
Redis when REDIS_URL is set (as in CI when Redis answers), else the embedded filesystem broker.
A queue of its own keeps other workers on a shared broker from taking the message."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from outstaff.celery import app
from risks import tasks
from risks.models import RiskFlag

from .scenarios import contractor_directed_full_time

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def celery_queue():
    assert not app.conf.task_always_eager
    queue = f"risks-test-{uuid.uuid4().hex[:12]}"
    with start_worker(app, perform_ping_check=False, queues=[queue], concurrency=1, pool="solo"):
        yield queue
    connection.close()


def test_full_scan_task_runs_in_a_real_worker(celery_queue):
    worker, _ = contractor_directed_full_time()
    tasks.risk_scan_full_task.apply_async(queue=celery_queue)
    assert _wait_for(
        lambda: RiskFlag.objects.filter(worker=worker, rule_code="contractor_full_time_direction").exists()
    )
    flag = RiskFlag.objects.get(worker=worker, rule_code="contractor_full_time_direction")
    assert flag.status == "open" and flag.evidence["summary"].startswith("contractor working 40 h/week")


def test_worker_re_evaluation_task_runs_in_a_real_worker(celery_queue):
    first, _ = contractor_directed_full_time()
    second, _ = contractor_directed_full_time()
    tasks.risk_scan_worker_task.apply_async(args=[str(first.id)], queue=celery_queue)
    assert _wait_for(lambda: RiskFlag.objects.filter(worker=first).exists())
    assert not RiskFlag.objects.filter(worker=second).exists()
