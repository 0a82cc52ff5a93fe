"""Writes of teams and assignments. Only a client directs work, so only client actors write here;
providers read the facts through the selectors. Every function is atomic, validates before saving
and tells the risk engine and webhooks (through `worker_changed`) after commit."""

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.actors import Actor
from accounts.models import User
from outstaff.bulk import BulkSpec, bulk_upsert
from outstaff.etags import etag_for
from outstaff.model_update import model_save_changed, model_set, model_update
from outstaff.signals import (
    ResourceChange,
    record_resource_changes,
    send_worker_changed_on_commit,
    send_workers_changed_on_commit,
)
from screening.selectors import worker_passes_gate, workers_passing_gate
from workers.choices import WorkerStatus
from workers.models import Worker

from .choices import AssignmentStatus, DirectedBy
from .models import Assignment, Team
from .receivers import team_managers_replaced
from .selectors import assignment_list, client_member_list, overlapping_assignment, team_list

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
    # Created with its managers in the first audited version.
    team = Team(
        client=actor.organization,
        name=name,
        external_id=external_id,
        manager_ids=sorted(manager.pk for manager in managers),
    )
    team.full_clean()
    team.save()
    with team_managers_replaced(team):
        team.managers.set(managers)
    record_resource_changes(changes=[ResourceChange.of(team, "created")])
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
            with team_managers_replaced(team):
                team.managers.set(managers)
            changed.append("managers")
    if changed:
        change = ResourceChange.of(team, "updated", changed)
        # Who manages a team decides which hiring managers see (and direct) its workers: rescan them.
        worker_ids = list(team.assignments.values_list("worker_id", flat=True).distinct())
        if worker_ids:
            send_workers_changed_on_commit(worker_ids=worker_ids, source="assignments.Team", changes=[change])
        else:
            record_resource_changes(changes=[change])
    return team


def _status_for(*, starts_on: dt.date, ends_on: dt.date | None, today: dt.date) -> str:
    if starts_on > today:
        return AssignmentStatus.PLANNED
    if ends_on is not None and ends_on < today:
        return AssignmentStatus.ENDED
    return AssignmentStatus.ACTIVE


def _status_after_edit(assignment: Assignment) -> str:
    """The status an edited assignment's dates give it; an ended one stays ended while its end
    date is past."""
    today = timezone.localdate()
    if assignment.status == AssignmentStatus.ENDED and assignment.ends_on is not None and assignment.ends_on <= today:
        return AssignmentStatus.ENDED
    return _status_for(starts_on=assignment.starts_on, ends_on=assignment.ends_on, today=today)


def _format_period(assignment: Assignment) -> str:
    end = assignment.ends_on.isoformat() if assignment.ends_on else "open-ended"
    return f"{assignment.starts_on.isoformat()} – {end}"


def _assignment_rule_errors(
    actor: Actor, assignment: Assignment, *, team_staffable: bool, manager_is_member: bool
) -> dict[str, str]:
    """The rules of one assignment that need no query (the caller says whether the team may be
    staffed by the actor and whether the manager is a member), each with a message that says what
    to change. Shared by the single writes and the bulk upsert."""
    errors: dict[str, str] = {}
    worker = assignment.worker
    if worker.client_id != actor.organization.id:
        errors["worker"] = f"{worker.full_name} is not dedicated to {actor.organization}."
    elif worker.status == WorkerStatus.OFFBOARDED:
        errors["worker"] = f"{worker.full_name} was offboarded on {worker.exit_date}; they cannot be assigned."
    if assignment.team_id and assignment.team.client_id != actor.organization.id:
        errors["team"] = "This team belongs to another client."
    elif not team_staffable:
        errors["team"] = "You can only staff teams you manage."
    if assignment.manager_id and not manager_is_member:
        errors["manager"] = f"The directing manager must be a member of {actor.organization}."
    if assignment.starts_on and assignment.ends_on and assignment.ends_on < assignment.starts_on:
        errors["ends_on"] = f"The end date ({assignment.ends_on}) is before the start date ({assignment.starts_on})."
    hours = assignment.weekly_hours
    if hours is not None and not (Decimal(0) <= Decimal(hours) <= Decimal(80)):
        errors["weekly_hours"] = f"Weekly hours must be between 0 and 80 (got {hours})."
    return errors


def _overlap_error(actor: Actor, assignment: Assignment, clash: Assignment) -> dict[str, str]:
    where = f" ({clash.role}, {clash.team})" if clash.client_id == actor.organization.id else ""
    return {
        "starts_on": f"{assignment.worker.full_name} already has an assignment {_format_period(clash)}{where} "
        "that overlaps these dates; a dedicated worker has one assignment at a time. End or move it first."
    }


def _gate_error(worker: Worker) -> dict[str, str]:
    return {
        "worker": f"{worker.full_name} has no passed screening; a client admin can override the "
        "onboarding gate with a written reason, or finish their screening first."
    }


def _validate_assignment(actor: Actor, assignment: Assignment, *, team_changed: bool = False) -> None:
    """The rules that make an assignment valid, each with a message that says what to change."""
    team_staffable = not team_changed or team_list(actor=actor).filter(id=assignment.team_id).exists()
    manager_is_member = bool(
        assignment.manager_id and client_member_list(actor=actor).filter(id=assignment.manager_id).exists()
    )
    errors = _assignment_rule_errors(
        actor, assignment, team_staffable=team_staffable, manager_is_member=manager_is_member
    )
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
            worker_id=assignment.worker_id,
            starts_on=assignment.starts_on,
            ends_on=assignment.ends_on,
            exclude_id=assignment.pk if not assignment._state.adding else None,
        )
        if clash is not None:
            raise ValidationError(_overlap_error(actor, assignment, clash))


def _save(assignment: Assignment, changed: list[str] | None = None) -> Assignment:
    """Save (a new row whole, an existing one only its `changed` fields), turning a constraint the database enforces (a
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
    change = ResourceChange.of(assignment, "created" if changed is None else "updated", changed or ())
    send_worker_changed_on_commit(worker_id=assignment.worker_id, source="assignments.Assignment", changes=[change])
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
        raise ValidationError(_gate_error(worker))
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
    changed += model_set(instance=assignment, fields=("status",), data={"status": _status_after_edit(assignment)})
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
    status = (
        AssignmentStatus.ENDED
        if ends_on <= today
        else _status_for(starts_on=assignment.starts_on, ends_on=ends_on, today=today)
    )
    # Ending it again on the same day is silent: nothing saved, audited or announced.
    changed = model_set(instance=assignment, fields=("ends_on", "status"), data={"ends_on": ends_on, "status": status})
    if not changed:
        return assignment
    _validate_assignment(actor, assignment)
    return _save(assignment, changed)


@transaction.atomic
def assignment_cancel(*, actor: Actor, assignment: Assignment) -> Assignment:
    """Cancel an assignment entered in error or that will not happen. It no longer blocks the
    worker's dates."""
    _require_client_writer(actor)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk, client_id=actor.organization.id)
    if assignment.status == AssignmentStatus.CANCELLED:
        return assignment
    assignment.status = AssignmentStatus.CANCELLED
    return _save(assignment, ["status"])


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
    moving = list(to_end.values_list("pk", "worker_id")) + list(to_start.values_list("pk", "worker_id"))
    ended = to_end.update(status=AssignmentStatus.ENDED, updated_at=now)
    started = to_start.update(status=AssignmentStatus.ACTIVE, updated_at=now)
    changes_by_worker: dict = {}
    for pk, worker_id in moving:
        change = ResourceChange("assignments.Assignment", str(pk), "updated", ("status",))
        changes_by_worker.setdefault(worker_id, []).append(change)
    for worker_id, changes in changes_by_worker.items():
        send_worker_changed_on_commit(worker_id=worker_id, source="assignments.Assignment", changes=changes)
    return {"started": started, "ended": ended}


# --- bulk upsert by external_id (DESIGN §8) ------------------------------------------------------
def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


class _AssignmentBulkSpec(BulkSpec):
    """Assignments for `bulk_upsert`: the rows and rules of `assignment_create` / `assignment_update`
    — the same rule function, the screening gate and the dedicated-worker overlap, checked for a
    chunk at once. An item names its worker by `worker` (id) or `worker_external_id`, its team by
    `team` (id) or `team_external_id`, the directing manager by `manager` (user id)."""

    model = Assignment
    fields = tuple(f for f in ASSIGNMENT_EDITABLE_FIELDS if f != "external_id") + ("worker",)
    extra_fields = ("worker_external_id", "team_external_id")
    derived_fields = ("status",)
    required_on_create = ("role", "starts_on", "weekly_hours")

    def __init__(self, actor: Actor):
        _require_client_writer(actor)
        self.actor = actor
        self.team_staffable: set = set()
        self.members: set = set()

    def existing(self, external_ids):
        rows = (
            assignment_list(actor=self.actor)
            .filter(external_id__in=external_ids)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        return {a.external_id: a for a in rows}

    def resolve(self, items):
        org = self.actor.organization.id
        worker_ids = {_uuid(i.data.get("worker")) for i in items} - {None}
        worker_exts = {str(i.data["worker_external_id"]) for i in items if i.data.get("worker_external_id")}
        worker_ids |= {i.instance.worker_id for i in items if i.instance is not None}
        # Locked in pk order, as `_lock_worker` does for one: concurrent writes for a worker queue
        # up, so the overlap check sees the other's row.
        workers = list(
            Worker.objects.filter(client_id=org)
            .filter(Q(id__in=worker_ids) | Q(external_id__in=worker_exts))
            .select_for_update()
            .order_by("pk")
        )
        by_id = {w.pk: w for w in workers}
        by_ext: dict[str, list[Worker]] = {}
        for worker in workers:
            if worker.external_id:
                by_ext.setdefault(worker.external_id, []).append(worker)
        team_ids = {_uuid(i.data.get("team")) for i in items} - {None}
        team_exts = {str(i.data["team_external_id"]) for i in items if i.data.get("team_external_id")}
        teams = list(Team.objects.filter(client_id=org).filter(Q(id__in=team_ids) | Q(external_id__in=team_exts)))
        teams_by_id = {t.pk: t for t in teams}
        teams_by_ext = {t.external_id: t for t in teams if t.external_id}
        self.team_staffable = set(
            team_list(actor=self.actor).filter(id__in=[t.pk for t in teams]).values_list("id", flat=True)
        )
        manager_ids = {_uuid(i.data.get("manager")) for i in items} - {None}
        managers = {u.pk: u for u in client_member_list(actor=self.actor).filter(id__in=manager_ids)}
        self.members = set(managers)
        for item in items:
            data = item.data
            if item.instance is not None:
                item.instance.worker = by_id.get(item.instance.worker_id, item.instance.worker)
            worker_ext = data.pop("worker_external_id", None)
            if data.get("worker") not in (None, ""):
                data["worker"] = by_id.get(_uuid(data["worker"]))
                if data["worker"] is None:
                    item.fail({"worker": ["Unknown worker: no worker with this id is dedicated to you."]})
            elif worker_ext:
                found = by_ext.get(str(worker_ext), [])
                if len(found) != 1:
                    item.fail(
                        {
                            "worker_external_id": [
                                f"Unknown worker “{worker_ext}”."
                                if not found
                                else f"Two of your workers (of different providers) have the external id "
                                f"“{worker_ext}”; name the worker by id."
                            ]
                        }
                    )
                else:
                    data["worker"] = found[0]
            elif item.instance is None:
                item.fail({"worker": ["Name the worker (worker or worker_external_id)."]})
            if (
                item.instance is not None
                and data.get("worker") is not None
                and data["worker"].pk != item.instance.worker_id
            ):
                item.fail({"worker": ["An assignment's worker cannot change; end it and create a new one."]})
            team_ext = data.pop("team_external_id", None)
            if data.get("team") not in (None, ""):
                data["team"] = teams_by_id.get(_uuid(data["team"]))
                if data["team"] is None:
                    item.fail({"team": ["Unknown team of yours."]})
            elif team_ext:
                data["team"] = teams_by_ext.get(str(team_ext))
                if data["team"] is None:
                    item.fail({"team_external_id": [f"Unknown team “{team_ext}”."]})
            elif item.instance is None:
                item.fail({"team": ["Name the team (team or team_external_id)."]})
            if data.get("manager") not in (None, ""):
                data["manager"] = managers.get(_uuid(data["manager"]))
                if data["manager"] is None:
                    item.fail({"manager": [f"The directing manager must be a member of {self.actor.organization}."]})
            if "external_id" in data:
                data.pop("external_id")

    def new_instance(self, item):
        return Assignment(client=self.actor.organization, external_id=item.external_id)

    def validate(self, instance, item):
        creating = instance._state.adding
        if not creating and item.before.get("status") == AssignmentStatus.CANCELLED:
            if any(getattr(instance, instance._meta.get_field(n).attname) != v for n, v in item.before.items()):
                raise ValidationError("This assignment was cancelled and can no longer change.")
            return
        instance.status = (
            _status_for(starts_on=instance.starts_on, ends_on=instance.ends_on, today=timezone.localdate())
            if creating
            else _status_after_edit(instance)
        )
        team_changed = creating or instance.team_id != item.before.get("team")
        errors = _assignment_rule_errors(
            self.actor,
            instance,
            team_staffable=not team_changed or instance.team_id in self.team_staffable,
            manager_is_member=instance.manager_id in self.members or instance.manager_id == item.before.get("manager"),
        )
        if errors:
            raise ValidationError(errors)

    def validate_chunk(self, items):
        if not items:
            return
        org = self.actor.organization.id
        creates = [i for i in items if i.action == "create"]
        if creates:
            # An external id taken by an assignment this actor cannot see (another team's).
            taken = set(
                Assignment.objects.filter(client_id=org, external_id__in=[i.external_id for i in creates]).values_list(
                    "external_id", flat=True
                )
            )
            passing = workers_passing_gate(workers={i.instance.worker_id: i.instance.worker for i in creates}.values())
            for item in creates:
                if item.external_id in taken:
                    item.fail(
                        {"external_id": [f"Another assignment already uses the external id {item.external_id!r}."]}
                    )
                elif item.instance.worker_id not in passing:
                    item.fail({name: [message] for name, message in _gate_error(item.instance.worker).items()})
        live = [i for i in items if i.ok and i.instance.status != AssignmentStatus.CANCELLED]
        stored = list(
            Assignment.objects.filter(worker_id__in={i.instance.worker_id for i in live})
            .exclude(status=AssignmentStatus.CANCELLED)
            .select_related("team")
            .order_by("starts_on", "id")
        )
        planned = {i.instance.pk for i in live}
        stored_by_pk = {a.pk: a for a in stored}
        # What each worker holds once this chunk applies: stored rows not rewritten here, then the
        # chunk's items in order, each checked against those before it (the first one wins).
        held: dict = {}
        for assignment in stored:
            if assignment.pk not in planned:
                held.setdefault(assignment.worker_id, []).append(assignment)
        far = dt.date.max
        for item in live:
            mine = item.instance
            clash = next(
                (
                    other
                    for other in held.get(mine.worker_id, [])
                    if mine.starts_on <= (other.ends_on or far) and other.starts_on <= (mine.ends_on or far)
                ),
                None,
            )
            if clash is None:
                held.setdefault(mine.worker_id, []).append(mine)
                continue
            item.fail({name: [message] for name, message in _overlap_error(self.actor, mine, clash).items()})
            if mine.pk in stored_by_pk:  # the update fails, so its stored version stays in place
                held.setdefault(mine.worker_id, []).append(stored_by_pk[mine.pk])

    def after_write(self, created, updated):
        send_workers_changed_on_commit(
            worker_ids=[a.worker_id for a in created] + [i.instance.worker_id for i in updated],
            source="assignments.Assignment",
            changes=[ResourceChange.of(a, "created") for a in created]
            + [ResourceChange.of(i.instance, "updated", i.changes) for i in updated],
        )


def _assignment_integrity_message(error) -> dict:
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or str(error)
    if OVERLAP_CONSTRAINT in constraint:
        return {
            "starts_on": [
                "Overlaps an assignment saved a moment ago by someone else; a dedicated worker has one "
                "assignment at a time."
            ]
        }
    if EXTERNAL_ID_CONSTRAINT in constraint:
        return {"external_id": ["Another assignment already uses this external id."]}
    return {"item": ["Conflicts with a change saved at the same moment; send it again."]}


@transaction.atomic
def assignments_upsert(*, actor: Actor, items: list[dict], atomic: bool = False) -> tuple[list[dict], bool]:
    """Create or update up to 1,000 assignments by `external_id` with the rules of
    `assignment_create` / `assignment_update`; per-item results, and whether they were applied."""
    return bulk_upsert(
        spec=_AssignmentBulkSpec(actor),
        items=items,
        atomic=atomic,
        etag_for=etag_for,
        integrity_message=_assignment_integrity_message,
    )
