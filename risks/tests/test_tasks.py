"""Re-evaluation after a change commits (receiver → task), the tasks themselves, and the
`risk_scan` management command."""

import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import make_actor
from risks import tasks
from risks.models import PendingRescan, RiskFlag
from workers.services import worker_update

from .scenarios import TODAY, contractor_directed_full_time

pytestmark = pytest.mark.django_db


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


def test_the_change_records_its_rescan_in_its_own_transaction():
    worker, _ = contractor_directed_full_time()
    PendingRescan.objects.all().delete()
    worker_update(actor=make_actor(worker.client), instance=worker, role_title="Lead engineer")
    pending = PendingRescan.objects.get(worker_id=worker.id)
    assert pending.enqueued_at is None and pending.source == "workers.Worker"


def test_a_change_after_the_task_started_enqueues_again(django_capture_on_commit_callbacks):
    worker, _ = contractor_directed_full_time()
    actor = make_actor(worker.client)
    with mock.patch.object(tasks.risk_scan_worker_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            worker_update(actor=actor, instance=worker, role_title="Lead engineer")
        tasks.risk_scan_worker_task.run(str(worker.id))
        assert not PendingRescan.objects.filter(worker_id=worker.id).exists()  # the task took it
        with django_capture_on_commit_callbacks(execute=True):
            worker_update(actor=actor, instance=worker, role_title="Staff engineer")
    assert delay.call_count == 2


def test_a_broker_outage_leaves_the_rescan_for_the_drain(django_capture_on_commit_callbacks):
    worker, _ = contractor_directed_full_time()
    RiskFlag.objects.all().delete()
    with (
        mock.patch.object(tasks.risk_scan_worker_task, "delay", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        worker_update(actor=make_actor(worker.client), instance=worker, role_title="Lead engineer")
    pending = PendingRescan.objects.get(worker_id=worker.id)
    assert pending.enqueued_at is None  # released, so the next drain takes it at once
    assert tasks.risk_rescans_drain_task.run() == 1
    assert not PendingRescan.objects.exists()
    assert RiskFlag.objects.filter(worker=worker, rule_code="contractor_full_time_direction").exists()


def test_the_drain_leaves_a_row_a_change_renewed_during_its_scan():
    worker, _ = contractor_directed_full_time()
    PendingRescan.objects.all().delete()
    worker_update(actor=make_actor(worker.client), instance=worker, role_title="Lead engineer")

    def scan_while_a_change_comes_in(worker_ids):
        worker_update(actor=make_actor(worker.client), instance=worker, role_title="Staff engineer")

    from risks.services.rescans import rescans_drain

    assert rescans_drain(scan=scan_while_a_change_comes_in) == 1
    assert PendingRescan.objects.filter(worker_id=worker.id).exists()  # the later change is still owed


def test_a_task_presumed_lost_is_enqueued_again_after_the_lease(django_capture_on_commit_callbacks):
    import datetime as dt

    from risks.services.rescans import ENQUEUE_LEASE

    worker, _ = contractor_directed_full_time()
    with mock.patch.object(tasks.risk_scan_worker_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            worker_update(actor=make_actor(worker.client), instance=worker, role_title="Lead engineer")
        PendingRescan.objects.filter(worker_id=worker.id).update(
            enqueued_at=PendingRescan.objects.get(worker_id=worker.id).enqueued_at - ENQUEUE_LEASE - dt.timedelta(1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            worker_update(actor=make_actor(worker.client), instance=worker, role_title="Staff engineer")
    assert delay.call_count == 2


def test_worker_task_scans_that_worker():
    worker, _ = contractor_directed_full_time()
    result = tasks.risk_scan_worker_task.run(str(worker.id))
    assert result["workers"] == 1 and result["opened"] >= 1
    assert RiskFlag.objects.filter(worker=worker, rule_code="contractor_full_time_direction").exists()


def test_full_task_is_registered_under_the_beat_name(settings):
    assert settings.CELERY_BEAT_SCHEDULE["risk-scan-nightly"]["task"] == tasks.risk_scan_full_task.name
    assert settings.CELERY_BEAT_SCHEDULE["risk-rescans-drain"]["task"] == tasks.risk_rescans_drain_task.name
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
    PendingRescan.objects.all().delete()
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
