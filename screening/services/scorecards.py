"""Blind structured-interview scorecards: drafts, submission, corrections as new versions."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor

from ..choices import (
    Recommendation,
    ScreeningStage,
)
from ..models import InterviewScorecard, Screening
from .base import _require_client, _require_in_progress
from .screenings import screening_scores_refresh


def _validate_ratings(*, screening: Screening, ratings, recommendation: str, submit: bool) -> dict:
    competencies = [item["competency"] for item in screening.template.interview_kit]
    if not isinstance(ratings, dict):
        raise ValidationError({"ratings": "Give a rating from 1 to 5 for each competency of the interview kit."})
    errors = []
    clean = {}
    for name, value in ratings.items():
        if name not in competencies:
            errors.append(f"{name!r} is not a competency of this interview kit ({', '.join(competencies)}).")
            continue
        if value in (None, ""):
            continue
        if isinstance(value, bool) or str(value).strip() not in {"1", "2", "3", "4", "5"}:
            errors.append(f"{name}: rate from 1 to 5 (got {value!r}).")
            continue
        clean[name] = int(value)
    if submit:
        missing = [name for name in competencies if name not in clean]
        if missing:
            errors.append("Rate every competency before submitting; missing: " + ", ".join(missing) + ".")
    field_errors: dict[str, list[str]] = {}
    if errors:
        field_errors["ratings"] = errors
    if submit and recommendation not in Recommendation.values:
        field_errors["recommendation"] = ["Give your overall recommendation."]
    elif recommendation and recommendation not in Recommendation.values:
        field_errors["recommendation"] = [f"{recommendation!r} is not a recommendation."]
    if field_errors:
        raise ValidationError(field_errors)
    return clean


@transaction.atomic
def scorecard_save(
    *,
    actor: Actor,
    screening: Screening,
    ratings: dict | None = None,
    recommendation: str = "",
    notes: str = "",
    submit: bool = True,
    declined: bool = False,
    **ignored,
) -> InterviewScorecard:
    """Save the signed-in interviewer's scorecard (a draft, or submitted). Their open draft is
    updated; once submitted a scorecard never changes — posting again creates a new version that
    supersedes it (a correction). `declined=True` records "reviewing only, not interviewing"."""
    if declined:
        return scorecard_decline(actor=actor, screening=screening, notes=notes)
    _require_client(actor)
    if actor.user is None:
        raise ValidationError("Scorecards are submitted by the interviewer, signed in as themselves.")
    screening = (
        Screening.objects.select_for_update(of=("self",)).select_related("template", "candidate").get(pk=screening.pk)
    )
    if screening.client_id != actor.organization.id:
        raise ValidationError({"screening": "No such screening."})
    _require_in_progress(screening)
    latest = screening.scorecards.filter(interviewer=actor.user).order_by("-version").first()
    if latest is not None and latest.declined:
        raise ValidationError(
            "You chose to review this screening without interviewing and have seen the other ratings, "
            "so you cannot score this candidate."
        )
    clean = _validate_ratings(screening=screening, ratings=ratings or {}, recommendation=recommendation, submit=submit)
    if latest is not None and latest.submitted_at is None:
        card = latest
    else:
        card = InterviewScorecard(
            screening=screening,
            interviewer=actor.user,
            version=(latest.version + 1) if latest else 1,
            supersedes=latest,
        )
    card.ratings = clean
    card.recommendation = recommendation or ""
    card.notes = notes or ""
    if submit:
        card.submitted_at = timezone.now()
    card.full_clean()
    card.save()
    if submit:
        if screening.stage == ScreeningStage.APPLIED:
            screening.stage = ScreeningStage.INTERVIEW
            screening.save(update_fields=["stage", "updated_at"])
        screening_scores_refresh(screening=screening)
    return card


@transaction.atomic
def scorecard_update(*, actor: Actor, instance: InterviewScorecard, **data) -> InterviewScorecard:
    """Change one's own draft. A submitted scorecard is immutable."""
    card = InterviewScorecard.objects.select_for_update().get(pk=instance.pk)
    if card.submitted_at is not None:
        raise ValidationError(
            "A submitted scorecard cannot change. To correct it, submit a new scorecard: it becomes a new "
            "version that supersedes this one."
        )
    if actor.user is None or card.interviewer_id != actor.user.id:
        raise PermissionDenied("Only the interviewer may edit their draft scorecard.")
    return scorecard_save(
        actor=actor,
        screening=card.screening,
        ratings={**card.ratings, **(data.get("ratings") or {})},
        recommendation=data.get("recommendation", card.recommendation),
        notes=data.get("notes", card.notes),
        submit=bool(data.get("submit", False)),
    )


@transaction.atomic
def scorecard_decline(*, actor: Actor, screening: Screening, notes: str = "") -> InterviewScorecard:
    """Record that the signed-in user reviews this screening without interviewing (e.g. the deciding
    manager). It counts as their submission — they then see the others' ratings — carries no ratings,
    and bars them from scoring this candidate later."""
    _require_client(actor)
    if actor.user is None:
        raise ValidationError("Only a signed-in user can review a screening.")
    screening = Screening.objects.select_for_update(of=("self",)).get(pk=screening.pk)
    if screening.client_id != actor.organization.id:
        raise ValidationError({"screening": "No such screening."})
    _require_in_progress(screening)
    if screening.scorecards.filter(interviewer=actor.user).exists():
        raise ValidationError("You already have a scorecard for this screening.")
    card = InterviewScorecard(
        screening=screening,
        interviewer=actor.user,
        declined=True,
        notes=notes or "",
        submitted_at=timezone.now(),
    )
    card.full_clean()
    card.save()
    return card
