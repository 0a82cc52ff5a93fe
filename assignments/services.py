"""Writes of teams and assignments. Only a client directs work, so only client actors write here;
providers read the facts through the selectors. Every function is atomic, validates before saving
and tells the risk engine and webhooks (through `worker_changed`) after commit."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.models import User
from outstaff.model_update import model_save_changed, model_set, model_update
from outstaff.signals import send_worker_changed_on_commit
from screening.selectors import worker_passes_gate
from workers.choices import WorkerStatus
from workers.models import Worker

from .choices import AssignmentStatus, DirectedBy
from .models import Assignment, Team
from .selectors import client_member_list, overlapping_assignment, team_list

OVERLAP_CONSTRAINT = "assignments_assignment_no_overlap_per_worker"
EXTERNAL_ID_CONSTRAINT = "assignments_assignment_unique_external_id"
ASSIGNMENT_EDITABLE_FIELDS = (
    "team",
    "manager",
    "external_id",
    "role",
    "starts_on",
    "ends_on",
    "weekly_hours",
    "directed_by",
    "schedule_set_by_client",
    "equipment_provided_by_client",
)


def _require_client_writer(actor: Actor) -> None:
    if not actor.is_client:
        raise PermissionDenied("Only the client directs assignments; providers can read them.")


def _require_team_admin(actor: Actor) -> None:
    _require_client_writer(actor)
    if not actor.sees_whole_client:
        raise PermissionDenied("Only a client admin can create or change teams.")


def _check_managers(actor: Actor, managers) -> list[User]:
    managers = list(managers or [])
    members = set(client_member_list(actor=actor).filter(id__in=[m.pk for m in managers]).values_list("id", flat=True))
    outsiders = [str(m) for m in managers if m.pk not in members]
    if outsiders:
        raise ValidationError({"managers": f"Not members of {actor.organization}: {', '.join(outsiders)}."})
    return managers


def _check_team_external_id(actor: Actor, external_id: str, exclude_id=None) -> None:
    if not external_id:
        return
    clash = Team.objects.filter(client_id=actor.organization.id, external_id=external_id)
    if exclude_id is not None:
        clash = clash.exclude(id=exclude_id)
    if clash.exists():
        raise ValidationError({"external_id": f"Another team already uses the external id {external_id!r}."})


@transaction.atomic
def team_create(*, actor: Actor, name: str, external_id: str = "", managers=None, **ignored) -> Team:
    _require_team_admin(actor)
    managers = _check_managers(actor, managers)
    _check_team_external_id(actor, external_id)
    team = Team(client=actor.organization, name=name, external_id=external_id)
    team.full_clean()
    team.save()
    team.managers.set(managers)
    return team


@transaction.atomic
def team_update(*, actor: Actor, instance: Team, **data) -> Team:
    _require_team_admin(actor)
    team = Team.objects.select_for_update().get(pk=instance.pk, client_id=actor.organization.id)
    team, changed = model_update(
        instance=team,
        fields=("name", "external_id"),
        data=data,
        validate=lambda t: _check_team_external_id(actor, t.external_id, exclude_id=t.pk),
    )
    if "managers" in data:
        managers = _check_managers(actor, data["managers"])
        if {m.pk for m in managers} != set(team.managers.values_list("pk", flat=True)):
            team.managers.set(managers)
            changed.append("managers")
    if changed:
        # Who manages a team decides which hiring managers see its workers.
        for worker_id in team.assignments.values_list("worker_id", flat=True).distinct():
            send_worker_changed_on_commit(worker_id=worker_id, source="assignments.Assignment")
    return team


def _status_for(*, starts_on: dt.date, ends_on: dt.date | None, today: dt.date) -> str:
    if starts_on > today:
        return AssignmentStatus.PLANNED
    if ends_on is not None and ends_on < today:
        return AssignmentStatus.ENDED
    return AssignmentStatus.ACTIVE


def _format_period(assignment: Assignment) -> str:
    end = assignment.ends_on.isoformat() if assignment.ends_on else "open-ended"
    return f"{assignment.starts_on.isoformat()} – {end}"


def _validate_assignment(actor: Actor, assignment: Assignment, *, team_changed: bool = False) -> None:
    """The rules that make an assignment valid, each with a message that says what to change."""
    errors: dict[str, str] = {}
    worker = assignment.worker
    if worker.client_id != actor.organization.id:
        errors["worker"] = f"{worker.full_name} is not dedicated to {actor.organization}."
    elif worker.status == WorkerStatus.OFFBOARDED:
        errors["worker"] = f"{worker.full_name} was offboarded on {worker.exit_date}; they cannot be assigned."
    if assignment.team_id and assignment.team.client_id != actor.organization.id:
        errors["team"] = "This team belongs to another client."
    elif team_changed and not team_list(actor=actor).filter(id=assignment.team_id).exists():
        errors["team"] = "You can only staff teams you manage."
    if assignment.manager_id and not client_member_list(actor=actor).filter(id=assignment.manager_id).exists():
        errors["manager"] = f"The directing manager must be a member of {actor.organization}."
    if assignment.starts_on and assignment.ends_on and assignment.ends_on < assignment.starts_on:
        errors["ends_on"] = f"The end date ({assignment.ends_on}) is before the start date ({assignment.starts_on})."
    hours = assignment.weekly_hours
    if hours is not None and not (Decimal(0) <= Decimal(hours) <= Decimal(80)):
        errors["weekly_hours"] = f"Weekly hours must be between 0 and 80 (got {hours})."
    if errors:
        raise ValidationError(errors)

    if assignment.external_id:
        clash = Assignment.objects.filter(client_id=actor.organization.id, external_id=assignment.external_id)
        if clash.exclude(pk=assignment.pk).exists():
            raise ValidationError(
                {"external_id": f"Another assignment already uses the external id {assignment.external_id!r}."}
            )
    if assignment.status != AssignmentStatus.CANCELLED:
        clash = overlapping_assignment(
            worker_id=worker.pk,
            starts_on=assignment.starts_on,
            ends_on=assignment.ends_on,
            exclude_id=assignment.pk if not assignment._state.adding else None,
        )
        if clash is not None:
            where = f" ({clash.role}, {clash.team})" if clash.client_id == actor.organization.id else ""
            raise ValidationError(
                {
                    "starts_on": f"{worker.full_name} already has an assignment {_format_period(clash)}{where} "
                    "that overlaps these dates; a dedicated worker has one assignment at a time. "
                    "End or move it first."
                }
            )


def _save(assignment: Assignment, changed: list[str] | None = None) -> Assignment:
    """Save (only the `changed` fields, when given), turning a constraint the database enforces (a
    concurrent change slipped past the checks above) into a clear validation error instead of a
    500."""
    try:
        with transaction.atomic():
            if changed is None:
                assignment.full_clean()
                assignment.save()
            else:
                model_save_changed(instance=assignment, changed=changed)
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or str(error)
        if OVERLAP_CONSTRAINT in constraint:
            raise ValidationError(
                {
                    "starts_on": f"{assignment.worker.full_name} already has an assignment that overlaps these "
                    "dates (it was saved a moment ago by someone else); a dedicated worker has one "
                    "assignment at a time."
                }
            ) from error
        if EXTERNAL_ID_CONSTRAINT in constraint:
            raise ValidationError(
                {"external_id": f"Another assignment already uses the external id {assignment.external_id!r}."}
            ) from error
        raise
    send_worker_changed_on_commit(worker_id=assignment.worker_id, source="assignments.Assignment")
    return assignment


def _lock_worker(worker: Worker) -> Worker:
    # Serializes concurrent writes for one worker, so the overlap check sees the other's row.
    return Worker.objects.select_for_update().get(pk=worker.pk)


@transaction.atomic
def assignment_create(
    *,
    actor: Actor,
    worker: Worker,
    team: Team,
    role: str,
    starts_on: dt.date,
    weekly_hours: Decimal,
    ends_on: dt.date | None = None,
    manager: User | None = None,
    external_id: str = "",
    directed_by: str = DirectedBy.CLIENT,
    schedule_set_by_client: bool = False,
    equipment_provided_by_client: bool = False,
    **ignored,
) -> Assignment:
    """Place a dedicated worker on a team. Refused when the worker is not the client's, has not
    passed screening (the onboarding gate, DESIGN §7) or already has an assignment in those dates."""
    _require_client_writer(actor)
    worker = _lock_worker(worker)
    assignment = Assignment(
        client=actor.organization,
        worker=worker,
        team=team,
        manager=manager,
        external_id=external_id or "",
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        weekly_hours=weekly_hours,
        directed_by=directed_by,
        schedule_set_by_client=schedule_set_by_client,
        equipment_provided_by_client=equipment_provided_by_client,
        status=_status_for(starts_on=starts_on, ends_on=ends_on, today=timezone.localdate()),
    )
    _validate_assignment(actor, assignment, team_changed=True)
    if not worker_passes_gate(worker=worker):
        raise ValidationError(
            {
                "worker": f"{worker.full_name} has no passed screening; a client admin can override the "
                "onboarding gate with a written reason, or finish their screening first."
            }
        )
    return _save(assignment)


@transaction.atomic
def assignment_update(*, actor: Actor, instance: Assignment, **data) -> Assignment:
    """Change the facts of an assignment. The worker stays: to move work to someone else, end this
    assignment and create another."""
    _require_client_writer(actor)
    assignment = Assignment.objects.select_for_update().get(pk=instance.pk, client_id=actor.organization.id)
    if "worker" in data and data["worker"] is not None and data["worker"].pk != assignment.worker_id:
        raise ValidationError({"worker": "An assignment's worker cannot change; end it and create a new one."})
    if assignment.status == AssignmentStatus.CANCELLED:
        raise ValidationError("This assignment was cancelled and can no longer change.")
    _lock_worker(assignment.worker)
    team_changed = "team" in data and data["team"] is not None and data["team"].pk != assignment.team_id
    if "external_id" in data:
        data["external_id"] = data["external_id"] or ""
    changed = model_set(instance=assignment, fields=ASSIGNMENT_EDITABLE_FIELDS, data=data)
    today = timezone.localdate()
    keep_ended = (
        assignment.status == AssignmentStatus.ENDED and assignment.ends_on is not None and assignment.ends_on <= today
    )
    if not keep_ended:
        status = _status_for(starts_on=assignment.starts_on, ends_on=assignment.ends_on, today=today)
        changed += model_set(instance=assignment, fields=("status",), data={"status": status})
    if not changed:
        return assignment
    _validate_assignment(actor, assignment, team_changed=team_changed)
    return _save(assignment, changed)


@transaction.atomic
def assignment_end(*, actor: Actor, assignment: Assignment, ends_on: dt.date | None = None) -> Assignment:
    """End an assignment on `ends_on` (default today; the last day worked, inclusive)."""
    _require_client_writer(actor)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk, client_id=actor.organization.id)
    today = timezone.localdate()
    ends_on = ends_on or today
    if assignment.status == AssignmentStatus.CANCELLED:
        raise ValidationError("This assignment was cancelled; there is nothing to end.")
    if ends_on < assignment.starts_on:
        raise ValidationError(
            {
                "ends_on": f"The end date ({ends_on}) is before the start date ({assignment.starts_on}); "
                "cancel the assignment instead if it never started."
            }
        )
    assignment.ends_on = ends_on
    assignment.status = (
        AssignmentStatus.ENDED
        if ends_on <= today
        else _status_for(starts_on=assignment.starts_on, ends_on=ends_on, today=today)
    )
    _validate_assignment(actor, assignment)
    return _save(assignment)


@transaction.atomic
def assignment_cancel(*, actor: Actor, assignment: Assignment) -> Assignment:
    """Cancel an assignment entered in error or that will not happen. It no longer blocks the
    worker's dates."""
    _require_client_writer(actor)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk, client_id=actor.organization.id)
    if assignment.status == AssignmentStatus.CANCELLED:
        return assignment
    assignment.status = AssignmentStatus.CANCELLED
    return _save(assignment)


@transaction.atomic
def assignment_statuses_refresh(*, today: dt.date | None = None) -> dict[str, int]:
    """Move stored statuses along with the calendar (planned → active on the start date, → ended
    after the end date), set-based, so filters on `status` and the risk rules agree with the dates.
    Each worker whose assignment changed is announced, like any other assignment write."""
    today = today or timezone.localdate()
    now = timezone.now()
    live = Assignment.objects.exclude(status__in=[AssignmentStatus.CANCELLED, AssignmentStatus.ENDED])
    to_end = live.filter(ends_on__lt=today)
    to_start = live.filter(status=AssignmentStatus.PLANNED, starts_on__lte=today).exclude(ends_on__lt=today)
    worker_ids = set(to_end.values_list("worker_id", flat=True)) | set(to_start.values_list("worker_id", flat=True))
    ended = to_end.update(status=AssignmentStatus.ENDED, updated_at=now)
    started = to_start.update(status=AssignmentStatus.ACTIVE, updated_at=now)
    for worker_id in worker_ids:
        send_worker_changed_on_commit(worker_id=worker_id, source="assignments.Assignment")
    return {"started": started, "ended": ended}
