"""Assignments' part of the worker page's story (workers/story.py): each placement's start and end,
who directs the worker now, and the actions to assign or end an assignment."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from accounts.actors import Actor
from accounts.choices import Scope
from workers.choices import WorkerStatus
from workers.models import Worker
from workers.story import StoryAction, StoryEvent, StoryFact, StoryPart

from .choices import AssignmentStatus
from .selectors import assignment_list

ENDABLE = (AssignmentStatus.ACTIVE, AssignmentStatus.PLANNED)


def _manager_name(assignment) -> str:
    if assignment.manager is None:
        return "no directing manager"
    return assignment.manager.get_full_name() or assignment.manager.email


def assignment_story_part(*, actor: Actor, worker: Worker, today: dt.date) -> StoryPart:
    part = StoryPart()
    assignments = list(
        assignment_list(actor=actor).filter(worker_id=worker.id).exclude(status=AssignmentStatus.CANCELLED)
    )
    current = []
    for assignment in sorted(assignments, key=lambda a: (a.starts_on, a.id)):
        who = _manager_name(assignment)
        detail = f"{assignment.team.name} · directed by {who} · {assignment.weekly_hours} h/week"
        started = assignment.starts_on <= today
        title = f"{'Assigned' if started else 'Assignment starts'}: {assignment.role}"
        part.events.append(StoryEvent(assignment.starts_on, "assignment", title, detail))
        if assignment.ends_on:
            ended = assignment.ends_on < today
            part.events.append(
                StoryEvent(assignment.ends_on, "assignment", f"{'Ended' if ended else 'Ends'}: {assignment.role}")
            )
        if assignment.status in ENDABLE:
            current.append(assignment)
    if current:
        for assignment in current:
            who = _manager_name(assignment)
            value = f"{assignment.role} on {assignment.team.name}, directed by {who}"
            tone = "" if assignment.manager else "missing"
            part.facts.append(StoryFact("Assignment", value, tone=tone))
    elif worker.status != WorkerStatus.OFFBOARDED:
        part.facts.append(StoryFact("Assignment", "none: nobody at the client directs this worker", tone="missing"))
    can_assign = actor.is_client and actor.can_write(Scope.ASSIGNMENTS) and worker.status != WorkerStatus.OFFBOARDED
    if can_assign:
        new = reverse("assignments:assignment-new")
        part.actions.append(StoryAction("Assign to a team", url=f"{new}?worker={worker.id}"))
        for assignment in current:
            end = reverse("assignments:assignment-end", args=[assignment.id])
            label = f"End the assignment ({assignment.role})" if len(current) > 1 else "End the assignment"
            part.actions.append(StoryAction(label, url=f"{end}?next=worker", destructive=True))
    return part
