"""Re-evaluation after a change commits (receiver → task), the tasks themselves, and the
`risk_scan` management command."""

import io
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from accounts.tests.factories import make_actor
from outstaff.signals import worker_changed
from risks import tasks
from risks.models import RiskFlag
from workers.services import worker_update

from .scenarios import TODAY, contractor_directed_full_time

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_committed_change_enqueues_one_re_evaluation(django_capture_on_commit_callbacks):
    worker, _ = contractor_directed_full_time()
    with mock.patch.object(tasks.risk_scan_worker_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            worker_update(actor=make_actor(worker.client), instance=worker, role_title="Lead engineer")
        with django_capture_on_commit_callbacks(execute=True):
            worker_update(actor=make_actor(worker.client), instance=worker, role_title="Staff engineer")
    delay.assert_called_once_with(str(worker.id))  # the burst is debounced into one task


def test_nothing_is_enqueued_before_commit():
    worker, _ = contractor_directed_full_time()
    with mock.patch.object(tasks.risk_scan_worker_task, "delay") as delay:
        worker_update(actor=make_actor(worker.client), instance=worker, role_title="Lead engineer")
    delay.assert_not_called()  # the test transaction never commits


def test_a_change_after_the_task_started_enqueues_again():
    worker, _ = contractor_directed_full_time()
    with mock.patch.object(tasks.risk_scan_worker_task, "delay") as delay:
        worker_changed.send(sender="test", worker_id=worker.id, source="test")
        tasks.risk_scan_worker_task.run(str(worker.id))
        worker_changed.send(sender="test", worker_id=worker.id, source="test")
    assert delay.call_count == 2


def test_a_broker_outage_does_not_break_the_change():
    worker, _ = contractor_directed_full_time()
    with mock.patch.object(tasks.risk_scan_worker_task, "delay", side_effect=ConnectionError("broker down")):
        worker_changed.send(sender="test", worker_id=worker.id, source="test")
    assert cache.get(tasks.rescan_debounce_key(worker.id)) is None  # the next change tries again


def test_worker_task_scans_that_worker():
    worker, _ = contractor_directed_full_time()
    result = tasks.risk_scan_worker_task.run(str(worker.id))
    assert result["workers"] == 1 and result["opened"] >= 1
    assert RiskFlag.objects.filter(worker=worker, rule_code="contractor_full_time_direction").exists()


def test_full_task_is_registered_under_the_beat_name(settings):
    assert settings.CELERY_BEAT_SCHEDULE["risk-scan-nightly"]["task"] == tasks.risk_scan_full_task.name
    assert settings.CELERY_BEAT_SCHEDULE["risk-digest-daily"]["task"] == tasks.risk_digest_daily_task.name
    contractor_directed_full_time()
    assert tasks.risk_scan_full_task.run()["opened"] >= 1


def test_command_prints_opened_still_open_and_resolved():
    worker, assignment = contractor_directed_full_time()
    out = io.StringIO()
    call_command("risk_scan", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "Opened (" in text and "contractor_full_time_direction" in text and worker.full_name in text
    assert "0 resolved" in text
    assignment.schedule_set_by_client = False
    assignment.weekly_hours = 10
    assignment.save()
    out = io.StringIO()
    call_command("risk_scan", "--worker", str(worker.id), "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "Resolved (1):" in text and "0 opened, 0 still open, 1 resolved" in text
    assert "Scanned 1 worker(s)" in text


def test_command_refuses_bad_ids_and_a_running_scan():
    with pytest.raises(CommandError, match="Not a worker id"):
        call_command("risk_scan", "--worker", "nope", stdout=io.StringIO())
    busy = tasks.ScanAlreadyRunning("busy")
    with (
        mock.patch("risks.management.commands.risk_scan.risk_scan_run", side_effect=busy),
        pytest.raises(CommandError, match="busy"),
    ):
        call_command("risk_scan", stdout=io.StringIO())


def test_a_bulk_change_enqueues_one_task_per_chunk_not_one_per_worker(django_capture_on_commit_callbacks):
    from outstaff.signals import send_workers_changed_on_commit
    from risks.receivers import RESCAN_CHUNK

    worker, _ = contractor_directed_full_time()
    ids = [str(worker.id)] + [f"00000000-0000-0000-0000-{n:012d}" for n in range(RESCAN_CHUNK + 10)]
    with (
        mock.patch.object(tasks.risk_scan_workers_task, "delay") as bulk_delay,
        mock.patch.object(tasks.risk_scan_worker_task, "delay") as single_delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_workers_changed_on_commit(worker_ids=ids, source="providers.PayrollEntry")
    assert bulk_delay.call_count == 2 and single_delay.call_count == 0
    assert sum(len(call.args[0]) for call in bulk_delay.call_args_list) == len(ids)


def test_bulk_task_scans_the_given_workers():
    worker, _ = contractor_directed_full_time()
    other, _ = contractor_directed_full_time()
    result = tasks.risk_scan_workers_task.run([str(worker.id), str(other.id)])
    assert result["opened"] >= 2
    assert set(RiskFlag.objects.values_list("worker_id", flat=True)) == {worker.id, other.id}
