import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.tests.factories import make_actor
from assignments import services
from assignments.choices import AssignmentStatus
from assignments.models import Assignment
from assignments.tests.conftest import pass_screening, screened_worker
from assignments.tests.factories import AssignmentFactory, TeamFactory
from outstaff.signals import worker_changed
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

JAN_1 = dt.date(2026, 1, 1)


def create(world, **overrides):
    data = {
        "actor": world["admin_a"],
        "worker": world["worker_a"],
        "team": world["team_a"],
        "role": "Backend engineer",
        "starts_on": JAN_1,
        "ends_on": dt.date(2026, 3, 31),
        "weekly_hours": Decimal("40"),
    }
    data.update(overrides)
    return services.assignment_create(**data)


def test_create_assignment_for_a_screened_worker(world):
    assignment = create(world, manager=world["admin_a"].user, schedule_set_by_client=True)
    assert assignment.client == world["client_a"]
    assert assignment.status == AssignmentStatus.ENDED  # 2026-03-31 is in the past
    assert assignment.manager == world["admin_a"].user and assignment.schedule_set_by_client
    assert Assignment.objects.filter(worker=world["worker_a"]).count() == 1


def test_status_follows_the_dates(world):
    future = create(world, starts_on=dt.date(2999, 1, 1), ends_on=None)
    assert future.status == AssignmentStatus.PLANNED
    past = create(world, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 6, 30))
    assert past.status == AssignmentStatus.ENDED


def test_overlap_is_refused_with_the_conflicting_dates(world):
    create(world)
    with pytest.raises(ValidationError) as error:
        create(world, starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 6, 30))
    message = error.value.message_dict["starts_on"][0]
    assert "2026-01-01 – 2026-03-31" in message and "Ada Lovelace" in message
    assert Assignment.objects.count() == 1


def test_touching_dates_overlap_because_bounds_are_inclusive(world):
    create(world)
    with pytest.raises(ValidationError):
        create(world, starts_on=dt.date(2026, 3, 31), ends_on=None)
    # The day after is free.
    assert create(world, starts_on=dt.date(2026, 4, 1), ends_on=None).pk


def test_open_ended_assignment_blocks_everything_after(world):
    create(world, ends_on=None)
    with pytest.raises(ValidationError) as error:
        create(world, starts_on=dt.date(2030, 1, 1), ends_on=None)
    assert "open-ended" in error.value.message_dict["starts_on"][0]


def test_cancelled_assignment_does_not_block(world):
    first = create(world)
    services.assignment_cancel(actor=world["admin_a"], assignment=first)
    second = create(world)
    assert second.pk != first.pk
    assert Assignment.objects.exclude(status=AssignmentStatus.CANCELLED).count() == 1


def test_update_does_not_clash_with_itself_but_with_others(world):
    first = create(world)
    second = create(world, starts_on=dt.date(2026, 4, 1), ends_on=None)
    updated = services.assignment_update(actor=world["admin_a"], instance=first, ends_on=dt.date(2026, 3, 15))
    assert updated.ends_on == dt.date(2026, 3, 15)
    with pytest.raises(ValidationError) as error:
        services.assignment_update(actor=world["admin_a"], instance=first, ends_on=dt.date(2026, 4, 1))
    assert "starts_on" in error.value.message_dict
    second.refresh_from_db()
    first.refresh_from_db()
    assert first.ends_on == dt.date(2026, 3, 15)


def test_database_rejects_overlap_inserted_past_the_service(world):
    AssignmentFactory(worker=world["worker_a"], team=world["team_a"], starts_on=JAN_1, ends_on=dt.date(2026, 3, 31))
    with pytest.raises(IntegrityError, match="no_overlap_per_worker"), transaction.atomic():
        AssignmentFactory(worker=world["worker_a"], team=world["team_a"], starts_on=dt.date(2026, 3, 31))


def test_database_allows_overlap_with_a_cancelled_assignment(world):
    AssignmentFactory(
        worker=world["worker_a"], team=world["team_a"], starts_on=JAN_1, status=AssignmentStatus.CANCELLED
    )
    assert AssignmentFactory(worker=world["worker_a"], team=world["team_a"], starts_on=JAN_1).pk


def test_race_past_the_precheck_becomes_a_validation_error(world, monkeypatch):
    """Two writers both pass the pre-check; the exclusion constraint stops the second one, and the
    service reports it as a field error rather than letting an IntegrityError escape."""
    create(world)
    monkeypatch.setattr(services, "overlapping_assignment", lambda **kwargs: None)
    monkeypatch.setattr(Assignment, "validate_constraints", lambda self, exclude=None: None)
    with pytest.raises(ValidationError) as error:
        create(world, starts_on=dt.date(2026, 2, 1))
    assert "overlaps" in error.value.message_dict["starts_on"][0]
    assert Assignment.objects.count() == 1


def test_duplicate_external_id_is_refused_per_client(world):
    create(world, external_id="A-1")
    other = screened_worker(client=world["client_a"], provider=world["provider"])
    with pytest.raises(ValidationError) as error:
        create(world, worker=other, external_id="A-1")
    assert "A-1" in error.value.message_dict["external_id"][0]
    # Another client may use the same external id.
    assert services.assignment_create(
        actor=world["admin_b"],
        worker=world["worker_b"],
        team=world["team_b"],
        role="QA",
        starts_on=JAN_1,
        weekly_hours=Decimal(20),
        external_id="A-1",
    ).pk


def test_database_rejects_duplicate_external_id(world):
    AssignmentFactory(worker=world["worker_a"], team=world["team_a"], external_id="X-9")
    other = WorkerFactory(client=world["client_a"], provider=world["provider"])
    with pytest.raises(IntegrityError, match="unique_external_id"), transaction.atomic():
        AssignmentFactory(worker=other, team=world["team_a"], external_id="X-9")


def test_gate_refuses_a_worker_without_a_passed_screening(world):
    unscreened = WorkerFactory(client=world["client_a"], provider=world["provider"], first_name="Una", last_name="S")
    with pytest.raises(ValidationError) as error:
        create(world, worker=unscreened)
    message = error.value.message_dict["worker"][0]
    assert message.startswith("Una S has no passed screening; a client admin can override")
    assert not Assignment.objects.exists()
    pass_screening(unscreened)
    assert create(world, worker=unscreened).pk


def test_gate_accepts_a_client_admin_override(world):
    worker = WorkerFactory(
        client=world["client_a"],
        provider=world["provider"],
        gate_override_reason="Referred by the CTO; screening waived.",
        gate_override_by=world["admin_a"].user,
    )
    assert create(world, worker=worker).pk


def test_worker_of_another_client_is_refused(world):
    with pytest.raises(ValidationError) as error:
        create(world, worker=world["worker_b"])
    assert "not dedicated" in error.value.message_dict["worker"][0]


def test_team_of_another_client_is_refused(world):
    with pytest.raises(ValidationError) as error:
        create(world, team=world["team_b"])
    assert "team" in error.value.message_dict


def test_manager_must_be_a_member_of_the_client(world):
    with pytest.raises(ValidationError) as error:
        create(world, manager=world["admin_b"].user)
    assert "manager" in error.value.message_dict


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": dt.date(2025, 12, 31)}, "ends_on"),
        ({"weekly_hours": Decimal("80.5")}, "weekly_hours"),
        ({"weekly_hours": Decimal("-1")}, "weekly_hours"),
    ],
)
def test_dates_and_hours_are_validated(world, changes, field):
    with pytest.raises(ValidationError) as error:
        create(world, **changes)
    assert field in error.value.message_dict
    assert not Assignment.objects.exists()


def test_provider_cannot_write(world):
    provider_actor = make_actor(world["provider"].organization)
    with pytest.raises(PermissionDenied):
        create(world, actor=provider_actor)


def test_end_and_cancel(world):
    assignment = create(world, ends_on=None)
    ended = services.assignment_end(actor=world["admin_a"], assignment=assignment, ends_on=dt.date(2026, 2, 28))
    assert ended.ends_on == dt.date(2026, 2, 28) and ended.status == AssignmentStatus.ENDED
    with pytest.raises(ValidationError):
        services.assignment_end(actor=world["admin_a"], assignment=assignment, ends_on=dt.date(2025, 1, 1))
    cancelled = services.assignment_cancel(actor=world["admin_a"], assignment=assignment)
    assert cancelled.status == AssignmentStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.assignment_update(actor=world["admin_a"], instance=cancelled, role="Other")


def test_every_write_announces_the_worker_change(world, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, worker_id, source, **kwargs):
        received.append((worker_id, source))

    worker_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assignment = create(world, ends_on=None)
        with django_capture_on_commit_callbacks(execute=True):
            services.assignment_update(actor=world["admin_a"], instance=assignment, weekly_hours=Decimal(30))
        with django_capture_on_commit_callbacks(execute=True):
            services.assignment_end(actor=world["admin_a"], assignment=assignment)
        with django_capture_on_commit_callbacks(execute=True):
            services.assignment_cancel(actor=world["admin_a"], assignment=assignment)
    finally:
        worker_changed.disconnect(receiver)
    assert received == [(world["worker_a"].id, "assignments.Assignment")] * 4


def test_hiring_manager_staffs_only_teams_they_manage(world):
    manager = make_actor(world["client_a"], role="hiring_manager")
    world["team_a"].managers.add(manager.user)
    other_team = TeamFactory(client=world["client_a"])
    with pytest.raises(ValidationError) as error:
        create(world, actor=manager, team=other_team)
    assert "team" in error.value.message_dict
    assert create(world, actor=manager).pk


def test_team_create_and_update(world):
    admin = world["admin_a"]
    team = services.team_create(actor=admin, name="Data", external_id="T-1", managers=[admin.user])
    assert list(team.managers.all()) == [admin.user]
    with pytest.raises(ValidationError) as error:
        services.team_create(actor=admin, name="Other", external_id="T-1")
    assert "external_id" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.team_create(actor=admin, name="Data")
    with pytest.raises(ValidationError) as error:
        services.team_update(actor=admin, instance=team, managers=[world["admin_b"].user])
    assert "managers" in error.value.message_dict
    renamed = services.team_update(actor=admin, instance=team, name="Data platform", managers=[])
    assert renamed.name == "Data platform" and not renamed.managers.exists()


def test_hiring_manager_cannot_create_teams(world):
    manager = make_actor(world["client_a"], role="hiring_manager")
    with pytest.raises(PermissionDenied):
        services.team_create(actor=manager, name="Shadow")


def test_statuses_follow_the_calendar(world, django_capture_on_commit_callbacks):
    planned = AssignmentFactory(
        worker=world["worker_a"], team=world["team_a"], starts_on=dt.date(2026, 5, 1), status=AssignmentStatus.PLANNED
    )
    running = AssignmentFactory(
        worker=world["worker_b"],
        team=world["team_b"],
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 4, 30),
        status=AssignmentStatus.ACTIVE,
    )
    received = []
    worker_changed.connect(receiver := lambda sender, worker_id, source, **kw: received.append(worker_id))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = services.assignment_statuses_refresh(today=dt.date(2026, 5, 1))
    finally:
        worker_changed.disconnect(receiver)
    assert result == {"started": 1, "ended": 1}
    planned.refresh_from_db()
    running.refresh_from_db()
    assert planned.status == AssignmentStatus.ACTIVE and running.status == AssignmentStatus.ENDED
    assert set(received) == {world["worker_a"].id, world["worker_b"].id}
    # Rerunning changes nothing.
    assert services.assignment_statuses_refresh(today=dt.date(2026, 5, 1)) == {"started": 0, "ended": 0}
