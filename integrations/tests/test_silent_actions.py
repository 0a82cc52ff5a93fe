"""An unchanged write is silent on the lifecycle actions too (issue 8, point 3): recording the same
check-in again, scheduling the same exit again, repeating a gate override, ending an assignment on
the day it already ends, cancelling a cancelled one — none moves `updated_at` (the ETag), writes an
audit row, sends an event or queues a rescan. A change made by the same action is not silent."""

import datetime as dt

import pghistory.models
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import make_actor
from assignments import services as assignment_services
from assignments.tests.factories import AssignmentFactory
from integrations.models import WebhookEvent
from integrations.tests.factories import WebhookEndpointFactory
from risks.models import PendingRescan
from workers import services as worker_services
from workers.models import CheckIn, Worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenants):
    WebhookEndpointFactory(organization=tenants["client_a"])
    WebhookEndpointFactory(organization=tenants["provider_p"])
    return {
        "worker": tenants["mine"],
        "client": make_actor(tenants["client_a"], role="client_admin"),
        "provider": make_actor(tenants["provider_p"]),
    }


def _trace(row) -> tuple:
    """What a write leaves behind: the row's updated_at, its audit rows, events, pending rescans."""
    row = type(row).objects.get(pk=row.pk)
    audit = pghistory.models.Events.objects.filter(pgh_obj_model=row._meta.label, pgh_obj_id=str(row.pk)).count()
    return row.updated_at, audit, WebhookEvent.objects.count(), PendingRescan.objects.count()


def _assert_silent_then_loud(row, again, change):
    """`again()` repeats what was just done: nothing at all. `change()` does it differently: all of it."""
    PendingRescan.objects.all().delete()
    before = _trace(row)
    again()
    assert _trace(row) == before
    change()
    updated_at, audit, events, rescans = _trace(row)
    assert updated_at > before[0] and audit > before[1] and events > before[2] and rescans >= 1


def test_recording_the_same_check_in_again_is_silent(world):
    worker = world["worker"]
    worker.start_date = dt.date(2026, 1, 5)
    worker.save()
    check_in = CheckIn.objects.create(worker=worker, kind="ad_hoc", due_on=dt.date(2026, 2, 1))
    ratings = {"done_on": dt.date(2026, 2, 2), "engagement": 4, "role_clarity": 3, "manager_relationship": 5}
    record = worker_services.check_in_record
    record(actor=world["client"], instance=check_in, notes="Fine.", **ratings)
    _assert_silent_then_loud(
        check_in,
        lambda: record(actor=world["client"], instance=check_in, notes="Fine.", **ratings),
        lambda: record(actor=world["client"], instance=check_in, notes="Fine.", **{**ratings, "engagement": 2}),
    )


def test_scheduling_the_same_exit_again_is_silent(world):
    worker, actor = world["worker"], world["provider"]
    later = timezone.localdate() + dt.timedelta(days=20)
    offboard = worker_services.worker_offboard
    offboard(actor=actor, worker=worker, exit_date=later, exit_reason="voluntary", exit_notes="Moving.")
    _assert_silent_then_loud(
        worker,
        lambda: offboard(actor=actor, worker=worker, exit_date=later, exit_reason="voluntary", exit_notes="Moving."),
        lambda: offboard(actor=actor, worker=worker, exit_date=later, exit_reason="voluntary", exit_notes="Moved."),
    )
    # Scheduling is not yet an offboarding: no worker.offboarded event until the day comes.
    assert not WebhookEvent.objects.filter(type="worker.offboarded").exists()
    assert Worker.objects.get(pk=worker.pk).status != "offboarded"


def test_repeating_a_gate_override_is_silent(world):
    worker, admin = world["worker"], world["client"]
    override = worker_services.worker_gate_override
    override(actor=admin, worker=worker, reason="Known contractor, re-hired.")
    _assert_silent_then_loud(
        worker,
        lambda: override(actor=admin, worker=worker, reason="Known contractor, re-hired."),
        lambda: override(actor=admin, worker=worker, reason="Known contractor, re-hired in 2026."),
    )


def test_ending_an_assignment_on_its_end_day_again_is_silent(world):
    assignment = AssignmentFactory(worker=world["worker"], starts_on=dt.date(2026, 1, 5))
    end = assignment_services.assignment_end
    end(actor=world["client"], assignment=assignment, ends_on=dt.date(2026, 3, 31))
    _assert_silent_then_loud(
        assignment,
        lambda: end(actor=world["client"], assignment=assignment, ends_on=dt.date(2026, 3, 31)),
        lambda: end(actor=world["client"], assignment=assignment, ends_on=dt.date(2026, 3, 30)),
    )


def test_cancelling_a_cancelled_assignment_is_silent(world):
    assignment = AssignmentFactory(worker=world["worker"], starts_on=dt.date(2026, 1, 5))
    cancel = assignment_services.assignment_cancel
    PendingRescan.objects.all().delete()
    before = _trace(assignment)
    cancel(actor=world["client"], assignment=assignment)
    after = _trace(assignment)
    assert after[0] > before[0] and after[1] > before[1] and after[2] > before[2] and after[3] >= 1
    cancel(actor=world["client"], assignment=assignment)
    assert _trace(assignment) == after


def test_ticking_a_ticked_checklist_item_again_is_silent(world, tenants):
    from screening.choices import ChecklistCode
    from screening.models import ChecklistItem
    from screening.services import screenings as screening_services
    from screening.tests.factories import ScreeningFactory

    screening = ScreeningFactory(client=tenants["client_a"])
    code = ChecklistCode.values[0]
    item = ChecklistItem.objects.create(screening=screening, code=code)
    tick = screening_services.checklist_item_set
    tick(actor=world["client"], screening=screening, code=code, checked=True, note="ID seen.")
    before = _trace(item)
    tick(actor=world["client"], screening=screening, code=code, checked=True, note="ID seen.")
    assert _trace(item) == before
    tick(actor=world["client"], screening=screening, code=code, checked=True, note="ID and permit seen.")
    after = _trace(item)
    assert after[0] > before[0] and after[1] > before[1]


def test_refreshing_an_unchanged_composite_is_silent(tenants):
    from screening.services.screenings import screening_scores_refresh
    from screening.tests.factories import ScreeningFactory

    screening = ScreeningFactory(client=tenants["client_a"])
    screening_scores_refresh(screening=screening)
    before = _trace(screening)
    screening_scores_refresh(screening=type(screening).objects.get(pk=screening.pk))
    assert _trace(screening) == before


def test_a_bulk_status_move_announces_only_the_fields_that_moved(world, tenants):
    from providers.services import payroll_entries_set_status
    from providers.tests.factories import PayrollEntryFactory

    entry = PayrollEntryFactory(worker=tenants["mine"], status="scheduled")
    WebhookEvent.objects.all().delete()
    assert payroll_entries_set_status(actor=world["provider"], entry_ids=[entry.pk], status="on_hold") == 1
    [event] = WebhookEvent.objects.filter(type="payroll_entry.changed", organization=tenants["provider_p"])
    assert event.payload["data"]["changed_fields"] == ["status"]
    before = _trace(entry)
    assert payroll_entries_set_status(actor=world["provider"], entry_ids=[entry.pk], status="on_hold") == 0
    assert _trace(entry) == before


def test_activating_an_active_worker_and_repeating_an_offboarding_are_silent(world):
    worker, admin, provider = world["worker"], world["client"], world["provider"]
    Worker.objects.filter(pk=worker.pk).update(status="onboarding")
    worker_services.worker_activate(actor=admin, worker=worker, override_reason="Known contractor.")
    before = _trace(worker)
    worker_services.worker_activate(actor=admin, worker=worker)
    assert _trace(worker) == before
    today = timezone.localdate()
    offboard = worker_services.worker_offboard
    offboard(actor=provider, worker=worker, exit_date=today, exit_reason="voluntary")
    before = _trace(worker)
    offboard(actor=provider, worker=worker, exit_date=today, exit_reason="voluntary")
    assert _trace(worker) == before
    # A different offboarding of an offboarded worker is still refused, not silently ignored.
    with pytest.raises(ValidationError, match="already offboarded"):
        offboard(actor=provider, worker=worker, exit_date=today, exit_reason="dismissed")
