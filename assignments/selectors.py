"""Reads of teams and assignments, scoped by the actor (DESIGN §9).

A client admin, viewer or client API key sees the whole client; a hiring manager sees the teams they
manage and the assignments on them or that they direct; a provider sees the assignment facts of the
workers it employs (read-only) and no teams."""

import datetime as dt

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.actors import Actor
from accounts.models import User
from accounts.selectors import user_list_for_organization
from workers.choices import WorkerStatus
from workers.models import Worker

from .choices import AssignmentStatus
from .models import Assignment, Team


def active_on_q(day: dt.date, prefix: str = "") -> Q:
    """Assignments in force on `day`: not cancelled, started, not yet ended (bounds are inclusive,
    as in the database's no-overlap constraint)."""
    return (
        ~Q(**{f"{prefix}status": AssignmentStatus.CANCELLED})
        & Q(**{f"{prefix}starts_on__lte": day})
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day}))
    )


def _managed_team_ids(actor: Actor):
    return Team.objects.filter(client_id=actor.organization.id, managers=actor.user).values("id")


def team_list(*, actor: Actor) -> QuerySet[Team]:
    """The actor's teams, each annotated with `active_assignments_count` (in force today)."""
    if not actor.is_client:
        return Team.objects.none()
    teams = Team.objects.filter(client_id=actor.organization.id)
    if not actor.sees_whole_client:
        # A subquery, not a join on managers, so the count annotation is not multiplied.
        teams = teams.filter(id__in=_managed_team_ids(actor))
    return (
        teams.annotate(
            active_assignments_count=Count(
                "assignments", filter=active_on_q(timezone.localdate(), prefix="assignments__")
            )
        )
        .prefetch_related("managers")
        .order_by("name", "id")
    )


def team_get(*, actor: Actor, team_id) -> Team:
    """The team, or Team.DoesNotExist when it is not the actor's (pages then 404)."""
    return team_list(actor=actor).get(id=team_id)


def assignment_list(*, actor: Actor) -> QuerySet[Assignment]:
    assignments = Assignment.objects.select_related("worker", "team", "manager", "client")
    if actor.is_provider:
        return assignments.filter(actor.worker_scope("worker__")).order_by("-starts_on", "id")
    assignments = assignments.filter(client_id=actor.organization.id)
    if not actor.sees_whole_client:
        assignments = assignments.filter(Q(team_id__in=_managed_team_ids(actor)) | Q(manager=actor.user))
    return assignments.order_by("-starts_on", "id")


def assignment_get(*, actor: Actor, assignment_id) -> Assignment:
    return assignment_list(actor=actor).get(id=assignment_id)


def assignable_worker_list(*, actor: Actor) -> QuerySet[Worker]:
    """Workers a client may put on an assignment: those dedicated to it (any of them, also for a
    hiring manager, who staffs their teams from the client's pool)."""
    if not actor.is_client:
        return Worker.objects.none()
    return Worker.objects.filter(client_id=actor.organization.id).order_by("last_name", "first_name", "id")


def assignment_form_worker_choices(*, actor: Actor, today: dt.date | None = None) -> QuerySet[Worker]:
    """The workers the assignment form offers: not those offboarded (they cannot be assigned), each
    with `placed_team` — the team of an assignment in force today or still to start, if any (a
    second one at once would make the worker no longer dedicated). Not yet placed come first."""
    today = today or timezone.localdate()
    current = (
        Assignment.objects.filter(worker_id=OuterRef("pk"))
        .exclude(status=AssignmentStatus.CANCELLED)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("starts_on")
    )
    return (
        assignable_worker_list(actor=actor)
        .exclude(status=WorkerStatus.OFFBOARDED)
        .annotate(placed_team=Subquery(current.values("team__name")[:1]))
        .order_by(F("placed_team").asc(nulls_first=True), "last_name", "first_name", "id")
    )


def client_member_list(*, actor: Actor) -> QuerySet[User]:
    """Users who can manage a team or direct an assignment: members of the client organization."""
    if not actor.is_client:
        return User.objects.none()
    return user_list_for_organization(organization=actor.organization).order_by("last_name", "first_name", "email")


def overlapping_assignment(
    *, worker_id, starts_on: dt.date, ends_on: dt.date | None, exclude_id=None
) -> Assignment | None:
    """The first non-cancelled assignment of the worker whose dates meet [starts_on, ends_on]
    (inclusive; an open end runs forever), across all clients: a worker is dedicated."""
    clash = Assignment.objects.filter(worker_id=worker_id).exclude(status=AssignmentStatus.CANCELLED)
    clash = clash.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        clash = clash.filter(starts_on__lte=ends_on)
    if exclude_id is not None:
        clash = clash.exclude(id=exclude_id)
    return clash.select_related("team").order_by("starts_on", "id").first()
