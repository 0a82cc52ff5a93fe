"""The worker page tells the placement's story (issue 11, point 2): its current state on top, then one
timeline from screening to exit, and the actions that fit the worker now.

Screening, assignments and risks sit above workers (DESIGN §3), so this app cannot read them. Each of
them registers a *story part* here in its `AppConfig.ready()` — the same direction as a signal: the
lower app defines the hook, the higher app plugs into it. A part returns what it knows about one
worker: facts for the state card, timeline events and actions. Every part reads through the actor's
scoped selectors, a fixed number of queries whatever the worker's history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.actors import Actor

from .models import Worker

# The order of the story, and of the timeline's sort on one day.
STAGES = ("screening", "hire", "contract", "assignment", "compliance", "payroll", "check_in", "flag", "exit")


@dataclass(frozen=True)
class StoryEvent:
    """One dated line of the timeline: `stage` is one of STAGES; `tone` a badge class (e.g. "failed")."""

    day: dt.date
    stage: str
    title: str
    detail: str = ""
    url: str = ""
    tone: str = ""


@dataclass(frozen=True)
class StoryFact:
    """One line of the state card, e.g. ("Tenure cap · Acme", "412 days left (2027-12-31)")."""

    label: str
    value: str
    tone: str = ""
    url: str = ""


@dataclass(frozen=True)
class StoryAction:
    """An action offered on the page. The page's own actions (`key` set) open in the action panel;
    others link to the page that does them (`url`)."""

    label: str
    key: str = ""
    url: str = ""
    destructive: bool = False


@dataclass
class StoryPart:
    facts: list[StoryFact] = field(default_factory=list)
    events: list[StoryEvent] = field(default_factory=list)
    actions: list[StoryAction] = field(default_factory=list)
    # Extra context a part's own template partial needs (e.g. the open flags with their severity).
    context: dict = field(default_factory=dict)


StoryPartBuilder = Callable[..., StoryPart]  # (*, actor, worker, today) -> StoryPart
_parts: dict[str, StoryPartBuilder] = {}


def register_story_part(name: str, builder: StoryPartBuilder) -> None:
    """Called from a higher app's AppConfig.ready(); registering the same name twice replaces it."""
    _parts[name] = builder


@dataclass
class WorkerStory:
    facts: list[StoryFact]
    events: list[StoryEvent]
    actions: list[StoryAction]
    context: dict


def worker_story(*, actor: Actor, worker: Worker, today: dt.date) -> WorkerStory:
    """Everything the registered parts know about `worker` (already fetched through a scoped
    selector), merged: the timeline oldest first, in story order within a day."""
    facts, events, actions, context = [], [], [], {}
    for builder in _parts.values():
        part = builder(actor=actor, worker=worker, today=today)
        facts += part.facts
        events += part.events
        actions += part.actions
        context.update(part.context)
    rank = {stage: index for index, stage in enumerate(STAGES)}
    events.sort(key=lambda event: (event.day, rank.get(event.stage, len(STAGES))))
    # Destructive actions last, so the everyday ones come first.
    actions.sort(key=lambda action: action.destructive)
    return WorkerStory(facts=facts, events=events, actions=actions, context=context)
