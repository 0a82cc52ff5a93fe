"""The worker page tells the placement's story (issue 11, point 2): state on top, one timeline,
actions on demand, one at a time; a future exit date schedules the exit."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import make_actor
from assignments.tests.factories import AssignmentFactory
from providers.tests.factories import PayrollEntryFactory
from risks.tests.factories import RiskFlagFactory
from workers import services
from workers.tasks import worker_exits_apply_task
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def worker(today):
    return WorkerFactory(first_name="Mina", last_name="Kovacs", start_date=today - dt.timedelta(days=40))


@pytest.fixture
def manager(client, worker):
    """A client admin (sees every worker of the client; a hiring manager sees only their teams')."""
    actor = make_actor(worker.client, role=Role.CLIENT_ADMIN)
    client.force_login(actor.user)
    return actor


def _page(client, worker, **params) -> str:
    response = client.get(f"/workers/{worker.id}/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_state_on_top_shows_days_since_start_next_check_in_and_open_flags(client, manager, worker, today):
    CheckInFactory(worker=worker, kind="day_60", due_on=today + dt.timedelta(days=20))
    RiskFlagFactory(worker=worker, severity="critical", rule_code="staffing_licence_missing")
    RiskFlagFactory(worker=worker, severity="low", rule_code="tenure_cap_approaching", status="resolved")
    body = _page(client, worker)
    state = body[body.index('class="card state"') : body.index('id="timeline"')]
    assert "day 41 (started" in state and "50 days left of the first 90" in state
    assert "Day 60, due" in state and "in 20 days" in state
    assert "Critical" in state and "Staffing licence missing or expired" in state
    # A resolved flag is on the timeline, not among the open ones.
    assert "Placement approaching the legal maximum" not in state
    assert "Flag resolved" not in body  # the factory sets no resolved_at
    assert "staffing_licence_missing" not in body  # no rule codes shown to people


def test_tenure_cap_countdown_for_a_german_placement(client, manager, worker, today):
    AssignmentFactory(worker=worker, starts_on=today - dt.timedelta(days=300), status="active")
    body = _page(client, worker)
    assert f"Tenure cap with {worker.client.name}" in body
    assert "Germany" in body and "18-month cap is reached on" in body and "days left" in body


def test_no_tenure_countdown_where_no_cap_applies(client, manager, today):
    british = WorkerFactory(client=manager.organization, country="GB", start_date=today - dt.timedelta(days=40))
    AssignmentFactory(worker=british, starts_on=today - dt.timedelta(days=30), status="active")
    assert "Tenure cap" not in _page(client, british)


def test_timeline_runs_in_story_order(client, manager, worker, today):
    AssignmentFactory(worker=worker, starts_on=worker.start_date, role="Data engineer", status="active")
    CheckInFactory(worker=worker, kind="day_30", due_on=worker.start_date + dt.timedelta(days=30), done_on=today)
    PayrollEntryFactory(worker=worker)
    body = _page(client, worker)
    timeline = body[body.index('id="timeline"') : body.index('id="facts"')]
    assert timeline.index("Started") < timeline.index("Assigned: Data engineer") < timeline.index("check-in held")
    assert "Payroll" in timeline


def test_actions_open_one_at_a_time_on_demand(client, manager, worker, today):
    CheckInFactory(worker=worker, kind="day_60", due_on=today + dt.timedelta(days=20))
    closed = _page(client, worker)
    assert 'name="action"' not in closed  # no form until asked for
    assert "?action=check-in" in closed and "?action=offboard" in closed
    opened = _page(client, worker, action="offboard")
    assert opened.count('name="action"') == 1 and 'value="offboard"' in opened
    assert 'name="confirm"' in opened  # destructive: asks for confirmation
    # htmx asks for the same page and swaps in the panel alone: no duplicate ids on the page.
    assert opened.count('id="id_exit_date"') == 1


def test_record_a_check_in_from_the_panel(client, manager, worker, today):
    check_in = CheckInFactory(worker=worker, kind="day_30", due_on=today - dt.timedelta(days=10))
    response = client.post(
        f"/workers/{worker.id}/",
        {
            "action": "check-in",
            "check_in": str(check_in.id),
            "done_on": today.isoformat(),
            "engagement": "4",
            "role_clarity": "3",
            "manager_relationship": "5",
        },
    )
    assert response.status_code == 302
    check_in.refresh_from_db()
    assert check_in.done_on == today and check_in.engagement == 4


def test_offboarding_needs_confirmation_and_changes_nothing_without_it(client, manager, worker, today):
    data = {"action": "offboard", "exit_date": today.isoformat(), "exit_reason": "voluntary"}
    response = client.post(f"/workers/{worker.id}/", data)
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    worker.refresh_from_db()
    assert worker.status == "active" and worker.exit_date is None
    assert client.post(f"/workers/{worker.id}/", {**data, "confirm": "on"}).status_code == 302
    worker.refresh_from_db()
    assert worker.status == "offboarded" and worker.exit_date == today


def test_a_future_exit_date_schedules_the_exit_and_the_daily_task_applies_it(client, manager, worker, today):
    exit_day = today + dt.timedelta(days=14)
    data = {"action": "offboard", "exit_date": exit_day.isoformat(), "exit_reason": "voluntary", "confirm": "on"}
    response = client.post(f"/workers/{worker.id}/", data, follow=True)
    assert "exit is scheduled for" in response.content.decode()
    worker.refresh_from_db()
    assert worker.status == "active" and worker.exit_date == exit_day
    assert "Exit scheduled" in _page(client, worker)

    assert worker_exits_apply_task() == 0  # not yet
    assert services.worker_exits_apply(today=exit_day - dt.timedelta(days=1)) == []
    assert services.worker_exits_apply(today=exit_day) == [worker.id]
    worker.refresh_from_db()
    assert worker.status == "offboarded" and worker.exit_reason == "voluntary"
    assert services.worker_exits_apply(today=exit_day) == []  # a rerun changes nothing


def test_a_scheduled_exit_can_be_withdrawn(worker, today):
    actor = make_actor(worker.client)
    services.worker_offboard(
        actor=actor, worker=worker, exit_date=today + dt.timedelta(days=3), exit_reason="voluntary"
    )
    services.worker_exit_cancel(actor=actor, worker=worker)
    worker.refresh_from_db()
    assert worker.exit_date is None and worker.status == "active"
    assert services.worker_exits_apply(today=today + dt.timedelta(days=3)) == []


def test_client_admin_overrides_the_gate_for_an_unscreened_worker(client, worker):
    onboarding = WorkerFactory(client=worker.client, status="onboarding", start_date=None)
    admin = make_actor(worker.client, role=Role.CLIENT_ADMIN)
    client.force_login(admin.user)
    assert "?action=override" in _page(client, onboarding)
    blank = client.post(f"/workers/{onboarding.id}/", {"action": "override", "reason": "  "})
    assert blank.status_code == 400
    onboarding.refresh_from_db()
    assert onboarding.gate_override_reason == ""
    ok = client.post(f"/workers/{onboarding.id}/", {"action": "override", "reason": "Known to the CTO for years"})
    assert ok.status_code == 302
    onboarding.refresh_from_db()
    assert onboarding.gate_override_reason == "Known to the CTO for years"
    assert onboarding.gate_override_by == admin.user
    assert "?action=override" not in _page(client, onboarding)  # done: no longer offered


def test_a_hiring_manager_cannot_override_the_gate(client, worker, today):
    hiring_manager = make_actor(worker.client, role=Role.HIRING_MANAGER)
    assignment = AssignmentFactory(worker=worker, starts_on=today - dt.timedelta(days=5), status="active")
    assignment.team.managers.add(hiring_manager.user)
    client.force_login(hiring_manager.user)
    assert "?action=override" not in _page(client, worker)
    response = client.post(f"/workers/{worker.id}/", {"action": "override", "reason": "trust me"})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.gate_override_reason == ""


def test_another_tenant_cannot_see_or_act_on_the_worker(client, worker):
    stranger = make_actor(WorkerFactory().client)
    client.force_login(stranger.user)
    assert client.get(f"/workers/{worker.id}/", {"action": "offboard"}).status_code == 404
    data = {"action": "override", "reason": "mine now"}
    assert client.post(f"/workers/{worker.id}/", data).status_code == 404
    worker.refresh_from_db()
    assert worker.gate_override_reason == ""


def test_worker_page_query_count_does_not_grow_with_history(client, manager, worker, today):
    AssignmentFactory(worker=worker, starts_on=worker.start_date, status="active")
    CheckInFactory(worker=worker, kind="day_30")
    RiskFlagFactory(worker=worker)
    PayrollEntryFactory(worker=worker)
    _page(client, worker)
    with CaptureQueriesContext(connection) as few:
        _page(client, worker)
    CheckInFactory(worker=worker, kind="ad_hoc")
    CheckInFactory(worker=worker, kind="day_60")
    for rule in ("outsourcing_directed_by_client", "engagement_model_unspecified", "no_active_legal_entity"):
        RiskFlagFactory(worker=worker, rule_code=rule)
    for _ in range(3):
        PayrollEntryFactory(worker=worker)
    AssignmentFactory(
        worker=worker,
        starts_on=worker.start_date - dt.timedelta(days=400),
        ends_on=worker.start_date - dt.timedelta(days=200),
        status="ended",
    )
    with CaptureQueriesContext(connection) as many:
        _page(client, worker)
    assert len(many) == len(few)
