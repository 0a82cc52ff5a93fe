"""Assessment results: scores normalized to 0–100; language results mapped to CEFR per skill."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.actors import Actor

from ..cefr import LANGUAGE_SCALES, cefr_from_score
from ..choices import (
    CEFR_SKILLS,
    AssessmentKind,
    AssessmentScale,
    ScreeningStage,
)
from ..models import AssessmentResult, Screening
from ..scoring import normalize
from .base import _require_client, _require_in_progress
from .screenings import screening_scores_refresh

SCORE_SCALES = {AssessmentScale.PERCENT: (Decimal(0), Decimal(100))}


def _apply_language(result: AssessmentResult, *, skill_scores, cefr: dict) -> None:
    if result.scale == AssessmentScale.CEFR:
        given = {skill: cefr.get(skill) for skill in CEFR_SKILLS if cefr.get(skill)}
        if not given:
            raise ValidationError({"cefr_speaking": "Give the CEFR level of at least one skill (A1–C2)."})
        for skill, level in given.items():
            setattr(result, f"cefr_{skill}", level)
        return
    if result.scale not in LANGUAGE_SCALES:
        raise ValidationError(
            {"scale": "A language result is given on EF SET, the Cambridge English Scale, or as CEFR levels."}
        )
    skill_scores = dict(skill_scores or {})
    if not skill_scores and result.raw_score is not None:
        raise ValidationError(
            {"skill_scores": "Give a score for each skill (for example speaking 62 and listening 58), not one total."}
        )
    unknown = sorted(set(skill_scores) - set(CEFR_SKILLS))
    if unknown or not skill_scores:
        raise ValidationError({"skill_scores": f"Skills are {', '.join(CEFR_SKILLS)}; give at least one score."})
    clean = {}
    for skill, score in skill_scores.items():
        try:
            level = cefr_from_score(scale=result.scale, score=score, field="skill_scores")
        except ValidationError as error:
            messages = error.message_dict.get("skill_scores", error.messages)
            raise ValidationError({"skill_scores": [f"{skill.capitalize()}: {m}" for m in messages]}) from error
        setattr(result, f"cefr_{skill}", level)
        clean[skill] = float(Decimal(str(score)))
    result.skill_scores = clean
    scale = LANGUAGE_SCALES[result.scale]
    result.scale_min, result.scale_max = scale.minimum, scale.maximum
    result.raw_score = (sum(Decimal(str(v)) for v in clean.values()) / len(clean)).quantize(Decimal("0.01"))
    result.normalized_score = normalize(result.raw_score, scale.minimum, scale.maximum)


def _apply_score(result: AssessmentResult) -> None:
    if result.scale in LANGUAGE_SCALES or result.scale == AssessmentScale.CEFR:
        raise ValidationError({"scale": f"{result.get_scale_display()} is for language results."})
    if result.raw_score is None:
        raise ValidationError({"raw_score": "Give the score."})
    if result.scale == AssessmentScale.CUSTOM:
        if result.scale_min is None or result.scale_max is None or result.scale_min >= result.scale_max:
            raise ValidationError({"scale_max": "Give the scale's range: scale_min below scale_max."})
    else:
        result.scale_min, result.scale_max = SCORE_SCALES[result.scale]
    if not result.scale_min <= result.raw_score <= result.scale_max:
        raise ValidationError(
            {
                "raw_score": f"{result.raw_score:g} is outside the scale's range "
                f"{result.scale_min:g}–{result.scale_max:g}."
            }
        )
    result.normalized_score = normalize(result.raw_score, result.scale_min, result.scale_max)


@transaction.atomic
def assessment_record(
    *,
    actor: Actor,
    screening: Screening,
    kind: str,
    instrument: str,
    scale: str = AssessmentScale.PERCENT,
    raw_score=None,
    scale_min=None,
    scale_max=None,
    skill_scores: dict | None = None,
    cefr_reading: str = "",
    cefr_listening: str = "",
    cefr_speaking: str = "",
    cefr_writing: str = "",
    taken_on: date | None = None,
    external_id: str = "",
    **ignored,
) -> AssessmentResult:
    """Record an assessment result. With an `external_id` it is an upsert: a vendor posting the same
    result again updates it in place."""
    _require_client(actor)
    screening = (
        Screening.objects.select_for_update(of=("self",)).select_related("candidate", "template").get(pk=screening.pk)
    )
    if screening.client_id != actor.organization.id:
        raise ValidationError({"screening": "No such screening."})
    _require_in_progress(screening)
    result = None
    if external_id:
        result = AssessmentResult.objects.filter(
            screening__client_id=actor.organization.id, external_id=external_id
        ).first()
        if result is not None and result.screening_id != screening.id:
            raise ValidationError({"external_id": "This external_id belongs to another screening's result."})
    if result is None:
        result = AssessmentResult(screening=screening, external_id=external_id or "")
    result.kind = kind
    result.instrument = instrument
    result.scale = scale
    result.raw_score = None if raw_score is None else Decimal(str(raw_score))
    result.scale_min = None if scale_min is None else Decimal(str(scale_min))
    result.scale_max = None if scale_max is None else Decimal(str(scale_max))
    result.taken_on = taken_on
    for skill in CEFR_SKILLS:
        setattr(result, f"cefr_{skill}", "")
    result.skill_scores = {}
    if kind == AssessmentKind.LANGUAGE:
        cefr = {
            "reading": cefr_reading,
            "listening": cefr_listening,
            "speaking": cefr_speaking,
            "writing": cefr_writing,
        }
        _apply_language(result, skill_scores=skill_scores, cefr=cefr)
    else:
        _apply_score(result)
    result.full_clean()
    result.save()
    if screening.stage in (ScreeningStage.APPLIED, ScreeningStage.INTERVIEW):
        screening.stage = ScreeningStage.ASSESSMENT
        screening.save(update_fields=["stage", "updated_at"])
    screening_scores_refresh(screening=screening)
    return result
