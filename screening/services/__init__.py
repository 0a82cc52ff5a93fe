"""Writes of screening (DESIGN §7): templates, candidates, screenings through their stages to a
decision, blind interview scorecards, assessment results, the pre-onboarding checklist and the hire.
Every function is atomic, keyword-only, validates before saving and raises ValidationError with
per-field messages. Callers import from here: `from screening.services import screening_create`."""

from .assessments import assessment_record
from .hire import screening_hire, screening_worker_activate
from .scorecards import scorecard_decline, scorecard_save, scorecard_update
from .screenings import (
    candidate_create,
    candidate_update,
    checklist_item_set,
    screening_create,
    screening_decide,
    screening_scores_refresh,
    screening_start,
    screening_update,
)
from .templates import (
    screening_template_create,
    screening_template_validate,
    screening_templates_install_defaults,
)

__all__ = [
    "assessment_record",
    "candidate_create",
    "candidate_update",
    "checklist_item_set",
    "scorecard_decline",
    "scorecard_save",
    "scorecard_update",
    "screening_create",
    "screening_decide",
    "screening_hire",
    "screening_scores_refresh",
    "screening_start",
    "screening_template_create",
    "screening_template_validate",
    "screening_templates_install_defaults",
    "screening_update",
    "screening_worker_activate",
]
