"""Screening's part of the worker page's story (workers/story.py): the screening that led to the hire.
A provider sees the outcome only, never scores (DESIGN §9)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from accounts.actors import Actor
from workers.models import Worker
from workers.story import StoryEvent, StoryFact, StoryPart

from .choices import ScreeningStatus
from .selectors import screening_list


def screening_story_part(*, actor: Actor, worker: Worker, today: dt.date) -> StoryPart:
    part = StoryPart()
    screenings = list(screening_list(actor=actor).filter(candidate__worker=worker).order_by("created_at", "id"))
    for screening in screenings:
        url = reverse("screening:detail", args=[screening.id]) if actor.is_client else ""
        role = screening.template.role_title if screening.template_id else "the role"
        part.events.append(
            StoryEvent(screening.created_at.date(), "screening", f"Screening for {role} started", url=url)
        )
        if screening.decided_at:
            detail = ""
            if actor.is_client and screening.composite_score is not None:
                detail = f"composite {screening.composite_score:.0f} of 100"
            if screening.override_reason:
                detail = f"{detail}; passed by override: {screening.override_reason}".lstrip("; ")
            part.events.append(
                StoryEvent(
                    screening.decided_at.date(),
                    "screening",
                    f"Screening {screening.get_status_display().lower()}",
                    detail,
                    url=url,
                    tone=screening.status,
                )
            )
    decided = [s for s in screenings if s.status in (ScreeningStatus.PASSED, ScreeningStatus.FAILED)]
    if decided:
        last = decided[-1]
        value = last.get_status_display()
        if actor.is_client and last.composite_score is not None:
            value += f" · composite {last.composite_score:.0f} of 100"
        url = reverse("screening:detail", args=[last.id]) if actor.is_client else ""
        part.facts.append(StoryFact("Screening", value, tone=last.status, url=url))
    elif worker.gate_override_reason:
        part.facts.append(StoryFact("Screening", "not screened · let through by a client admin's override", "high"))
    else:
        part.facts.append(StoryFact("Screening", "no decided screening", tone="missing"))
    return part
