"""The command on an empty database (kept apart from test_seed_demo.py, whose module-wide seed would
make the database non-empty)."""

from io import StringIO

import pytest
from django.core.management import call_command

from risks.models import RiskFlag

pytestmark = pytest.mark.django_db


def test_a_seed_that_changes_data_scans_so_the_planted_cases_are_flagged_at_once():
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "Risk scan:" in out.getvalue()
    assert RiskFlag.objects.filter(worker__external_id="W-021", rule_code="contractor_full_time_direction").exists()


def test_after_the_seeds_full_scan_no_rescan_of_the_same_data_is_left_queued(django_capture_on_commit_callbacks):
    """Issue 11, point 9: `make run` seeded, scanned everything, then its worker started on 41 one-worker
    scans of the same data. The seed's changes now enqueue no task, and the full scan clears what
    they owed: nothing is pending, nothing is left for the worker or the beat drain."""
    from risks.models import PendingRescan
    from risks.services.rescans import rescans_drain

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("seed_demo", "--if-empty", stdout=StringIO())
    assert callbacks  # the seed's changes did announce themselves (their rows were recorded)
    assert PendingRescan.objects.count() == 0
    assert rescans_drain() == 0


def test_changes_committed_inside_the_deferral_enqueue_nothing(django_capture_on_commit_callbacks):
    from outstaff.signals import send_worker_changed_on_commit
    from risks.models import PendingRescan
    from risks.services import rescans_covered, rescans_deferred
    from workers.tests.factories import WorkerFactory

    worker = WorkerFactory()
    with rescans_deferred() as changed, django_capture_on_commit_callbacks(execute=True):
        send_worker_changed_on_commit(worker_id=worker.id, source="workers.Worker")
    assert changed == {str(worker.id)}
    assert PendingRescan.objects.get(worker_id=worker.id).enqueued_at is None  # recorded, not enqueued
    from django.utils import timezone

    assert rescans_covered(worker_ids=changed, before=timezone.now()) == 1
    assert not PendingRescan.objects.exists()


def test_a_change_outside_the_seed_still_queues_its_rescan(django_capture_on_commit_callbacks):
    from outstaff.signals import send_worker_changed_on_commit
    from risks.models import PendingRescan
    from workers.tests.factories import WorkerFactory

    worker = WorkerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        send_worker_changed_on_commit(worker_id=worker.id, source="workers.Worker")
    pending = PendingRescan.objects.get(worker_id=worker.id)
    assert pending.enqueued_at is not None  # claimed: a task was enqueued for it


def test_production_settings_refuse_demo_data_unless_told_it_is_public(settings):
    from django.core.management.base import CommandError

    from accounts.models import Organization

    settings.OUTSTAFF_PRODUCTION = True
    with pytest.raises(CommandError, match="--i-know-this-is-public"):
        call_command("seed_demo", "--if-empty", stdout=StringIO())
    assert not Organization.objects.exists()
    out = StringIO()
    call_command("seed_demo", "--if-empty", "--i-know-this-is-public", stdout=out)
    assert Organization.objects.exists()
