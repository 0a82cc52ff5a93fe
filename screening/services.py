"""Writes of screening (DESIGN §7): templates, candidates, screenings through their stages to a
decision, blind interview scorecards, assessment results, the pre-onboarding checklist and the hire.
Every function is atomic, keyword-only, validates before saving and raises ValidationError with
per-field messages."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.models import Organization
from outstaff.signals import send_worker_changed_on_commit
from providers.choices import ContractType, EngagementModel
from providers.models import EmploymentContract, LegalEntity, Provider
from workers import services as worker_services
from workers.models import Worker

from . import selectors
from .cefr import LANGUAGE_SCALES, cefr_from_score
from .choices import (
    CEFR_SKILLS,
    AssessmentKind,
    AssessmentScale,
    CefrLevel,
    ChecklistCode,
    Recommendation,
    ScreeningStage,
    ScreeningStatus,
)
from .defaults import DEFAULT_TEMPLATES
from .models import AssessmentResult, Candidate, ChecklistItem, InterviewScorecard, Screening, ScreeningTemplate
from .scoring import normalize
from .validity import METHOD_VALIDITY, mix_validity

FULL_TIME_HOURS = Decimal(30)


def _require_client(actor: Actor) -> None:
    if not actor.is_client:
        raise PermissionDenied("Screening is run by the client.")


def _require_in_progress(screening: Screening) -> None:
    if screening.status != ScreeningStatus.IN_PROGRESS:
        raise ValidationError(f"This screening is already {screening.get_status_display().lower()}; it cannot change.")


def _notify(screening: Screening) -> None:
    if screening.candidate.worker_id:
        send_worker_changed_on_commit(worker_id=screening.candidate.worker_id, source="screening.Screening")


# --- templates ------------------------------------------------------------------------------------


def _validate_template(*, methods, min_cefr, interview_kit) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(methods, list) or not methods:
        errors["methods"] = ["List the methods used, e.g. [{'method': 'structured_interview', 'weight': 0.5}]."]
    else:
        seen = set()
        for row in methods:
            code = row.get("method") if isinstance(row, dict) else None
            if code not in METHOD_VALIDITY:
                errors.setdefault("methods", []).append(
                    f"Unknown method {code!r}; use one of {', '.join(METHOD_VALIDITY)}."
                )
                continue
            if code in seen:
                errors.setdefault("methods", []).append(f"{code} is listed twice.")
            seen.add(code)
            try:
                weight = Decimal(str(row.get("weight")))
            except InvalidOperation:
                weight = Decimal(-1)
            if not weight.is_finite() or weight <= 0:
                errors.setdefault("methods", []).append(f"The weight of {code} must be a positive number.")
    if not isinstance(min_cefr, dict):
        errors["min_cefr"] = ["Give the minimum level per skill, e.g. {'speaking': 'B2'}."]
    else:
        for skill, level in min_cefr.items():
            if skill not in CEFR_SKILLS or level not in CefrLevel.values:
                errors.setdefault("min_cefr", []).append(
                    f"{skill}: {level!r} — skills are {', '.join(CEFR_SKILLS)}; levels A1–C2."
                )
    uses_interview = isinstance(methods, list) and any(
        isinstance(r, dict) and r.get("method") == "structured_interview" for r in methods
    )
    if uses_interview and not interview_kit:
        errors["interview_kit"] = ["A structured interview needs its kit: competencies, questions and anchors."]
    for index, item in enumerate(interview_kit or []):
        anchors = item.get("anchors", {}) if isinstance(item, dict) else {}
        if not isinstance(item, dict) or not item.get("competency") or not item.get("questions"):
            errors.setdefault("interview_kit", []).append(f"Competency {index + 1} needs a name and questions.")
        elif sorted(anchors) != ["1", "2", "3", "4", "5"] or not all(anchors.values()):
            errors.setdefault("interview_kit", []).append(
                f"{item['competency']}: describe what an answer sounds like at each of 1, 2, 3, 4 and 5."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def screening_template_create(
    *,
    client: Organization,
    name: str,
    role_title: str,
    methods: list,
    pass_threshold=Decimal("60"),
    min_cefr: dict | None = None,
    interview_kit: list | None = None,
) -> ScreeningTemplate:
    _validate_template(methods=methods, min_cefr=min_cefr or {}, interview_kit=interview_kit or [])
    template = ScreeningTemplate(
        client=client,
        name=name,
        role_title=role_title,
        methods=methods,
        pass_threshold=pass_threshold,
        min_cefr=min_cefr or {},
        interview_kit=interview_kit or [],
    )
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def screening_templates_install_defaults(*, client: Organization) -> list[ScreeningTemplate]:
    """Install the shipped templates (backend engineer; English-speaking support specialist) for a
    client. Idempotent: a template the client already has by that name is left as it is."""
    installed = []
    for spec in DEFAULT_TEMPLATES:
        existing = ScreeningTemplate.objects.filter(client=client, name=spec["name"]).first()
        installed.append(existing or screening_template_create(client=client, **spec))
    return installed


# --- candidates and screenings --------------------------------------------------------------------

CANDIDATE_FIELDS = ("external_id", "first_name", "last_name", "email", "country")


@transaction.atomic
def candidate_create(
    *, actor: Actor, first_name: str, last_name: str, email: str, country: str = "", external_id: str = "", **ignored
) -> Candidate:
    _require_client(actor)
    candidate = Candidate(
        client=actor.organization,
        first_name=first_name,
        last_name=last_name,
        email=email,
        country=(country or "").upper(),
        external_id=external_id or "",
    )
    candidate.full_clean()
    candidate.save()
    return candidate


@transaction.atomic
def candidate_update(*, actor: Actor, instance: Candidate, **data) -> Candidate:
    _require_client(actor)
    candidate = Candidate.objects.select_for_update().get(pk=instance.pk, client_id=actor.organization.id)
    for name in CANDIDATE_FIELDS:
        if name in data:
            value = data[name] or ""
            setattr(candidate, name, value.upper() if name == "country" else value)
    candidate.full_clean()
    candidate.save()
    return candidate


@transaction.atomic
def screening_create(
    *,
    actor: Actor,
    candidate: Candidate,
    template: ScreeningTemplate,
    provider: Provider | None = None,
    external_id: str = "",
    **ignored,
) -> Screening:
    """Start screening a candidate for a role; the pre-onboarding checklist comes with it."""
    _require_client(actor)
    org_id = actor.organization.id
    if candidate.client_id != org_id:
        raise ValidationError({"candidate": "No such candidate."})
    if template.client_id != org_id:
        raise ValidationError({"template": "No such template."})
    if not template.is_active:
        raise ValidationError({"template": "This template is retired; pick an active one."})
    screening = Screening(
        client_id=org_id,
        candidate=candidate,
        template=template,
        provider=provider,
        external_id=external_id or "",
        expected_validity=mix_validity(selectors.template_weights(template)).value,
    )
    screening.full_clean()
    screening.save()
    ChecklistItem.objects.bulk_create(ChecklistItem(screening=screening, code=code) for code in ChecklistCode.values)
    return screening


@transaction.atomic
def screening_update(*, actor: Actor, instance: Screening, **data) -> Screening:
    """Move a screening between stages, or name the provider that will employ the worker."""
    _require_client(actor)
    screening = Screening.objects.select_for_update().get(pk=instance.pk, client_id=actor.organization.id)
    if "stage" in data and data["stage"] != screening.stage:
        _require_in_progress(screening)
        screening.stage = data["stage"]
    if "provider" in data:
        screening.provider = data["provider"]
    if "external_id" in data:
        screening.external_id = data["external_id"] or ""
    screening.full_clean()
    screening.save()
    return screening


@transaction.atomic
def screening_scores_refresh(*, screening: Screening) -> Screening:
    """Store the composite and the expected validity of the method mix on the screening."""
    composite = selectors.screening_composite(screening=screening)
    screening.composite_score = composite.score
    screening.expected_validity = composite.validity.value
    screening.save(update_fields=["composite_score", "expected_validity", "updated_at"])
    return screening


@transaction.atomic
def screening_decide(
    *, actor: Actor, screening: Screening, outcome: str, notes: str = "", override_reason: str = "", **ignored
) -> Screening:
    """Pass, fail or withdraw. Passing a screening that misses the template's pass rule takes a
    client admin's written override reason, recorded on the screening (and flagged by the risk engine)."""
    _require_client(actor)
    screening = (
        Screening.objects.select_for_update(of=("self",))
        .select_related("template", "candidate")
        .get(pk=screening.pk, client_id=actor.organization.id)
    )
    _require_in_progress(screening)
    if outcome not in (ScreeningStatus.PASSED, ScreeningStatus.FAILED, ScreeningStatus.WITHDRAWN):
        raise ValidationError({"outcome": "Choose passed, failed or withdrawn."})
    override_reason = (override_reason or "").strip()
    if outcome == ScreeningStatus.PASSED:
        failures = selectors.screening_pass_failures(screening=screening)
        if failures:
            if not override_reason:
                raise ValidationError(
                    {
                        "outcome": "The pass rule is not met: "
                        + " ".join(failures)
                        + " A client admin can pass the candidate anyway with a written reason."
                    }
                )
            if not actor.is_client_admin:
                raise PermissionDenied("Only a client admin may pass a candidate who misses the pass rule.")
            screening.override_reason = override_reason
    screening.status = outcome
    screening.stage = ScreeningStage.DECISION
    screening.decided_by = actor.user
    screening.decided_at = timezone.now()
    screening.decision_notes = notes or ""
    screening.full_clean()
    screening.save()
    screening_scores_refresh(screening=screening)
    _notify(screening)
    return screening


@transaction.atomic
def checklist_item_set(
    *, actor: Actor, screening: Screening, code: str, checked: bool, note: str = "", **ignored
) -> ChecklistItem:
    _require_client(actor)
    if screening.client_id != actor.organization.id:
        raise ValidationError({"screening": "No such screening."})
    if screening.candidate.worker_id:
        raise ValidationError("The candidate is already hired; the checklist is closed.")
    try:
        item = ChecklistItem.objects.select_for_update().get(screening=screening, code=code)
    except ChecklistItem.DoesNotExist as error:
        raise ValidationError({"code": f"{code!r} is not a checklist item."}) from error
    item.checked = bool(checked)
    item.checked_by = actor.user if checked else None
    item.checked_at = timezone.now() if checked else None
    item.note = note or ""
    item.full_clean()
    item.save()
    return item


# --- scorecards -----------------------------------------------------------------------------------


def _validate_ratings(*, screening: Screening, ratings, recommendation: str, submit: bool) -> dict:
    competencies = [item["competency"] for item in screening.template.interview_kit]
    if not isinstance(ratings, dict):
        raise ValidationError({"ratings": "Give a rating per competency, e.g. {'System design': 4}."})
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
    ratings: dict,
    recommendation: str = "",
    notes: str = "",
    submit: bool = True,
    **ignored,
) -> InterviewScorecard:
    """Save the signed-in interviewer's scorecard (a draft, or submitted). Their open draft is
    updated; once submitted a scorecard never changes — posting again creates a new version that
    supersedes it (a correction)."""
    _require_client(actor)
    if actor.user is None:
        raise ValidationError("Scorecards are submitted by the interviewer, signed in as themselves.")
    screening = (
        Screening.objects.select_for_update(of=("self",)).select_related("template", "candidate").get(pk=screening.pk)
    )
    if screening.client_id != actor.organization.id:
        raise ValidationError({"screening": "No such screening."})
    _require_in_progress(screening)
    clean = _validate_ratings(screening=screening, ratings=ratings, recommendation=recommendation, submit=submit)
    latest = screening.scorecards.filter(interviewer=actor.user).order_by("-version").first()
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


# --- assessments ----------------------------------------------------------------------------------

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
            {"skill_scores": "Give the score per skill, e.g. {'speaking': 62, 'listening': 58}, not one total."}
        )
    unknown = sorted(set(skill_scores) - set(CEFR_SKILLS))
    if unknown or not skill_scores:
        raise ValidationError({"skill_scores": f"Skills are {', '.join(CEFR_SKILLS)}; give at least one score."})
    clean = {}
    for skill, score in skill_scores.items():
        setattr(result, f"cefr_{skill}", cefr_from_score(scale=result.scale, score=score, field="skill_scores"))
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


# --- hire -----------------------------------------------------------------------------------------


@transaction.atomic
def screening_hire(
    *,
    actor: Actor,
    screening: Screening,
    work_email: str = "",
    start_date: date | None = None,
    provider: Provider | None = None,
    legal_entity: LegalEntity | None = None,
    worker: Worker | None = None,
    country: str = "",
    contract_type: str = ContractType.EMPLOYMENT,
    engagement_model: str = EngagementModel.OUTSTAFFING,
    weekly_hours=Decimal(40),
    signed_on: date | None = None,
    override_reason: str = "",
    **ignored,
) -> Worker:
    """Hire a passed candidate: create the Worker (or link an existing one) with the provider that
    employs them and an employment contract that states the engagement model. Unchecked checklist items
    block the hire unless a client admin overrides with a written reason; the worker is then marked
    (Worker.gate_override_*) for the risk engine."""
    _require_client(actor)
    screening = (
        Screening.objects.select_for_update(of=("self",))
        .select_related("candidate", "template", "provider")
        .get(pk=screening.pk, client_id=actor.organization.id)
    )
    candidate = screening.candidate
    if screening.status != ScreeningStatus.PASSED:
        raise ValidationError("Only a candidate who passed screening can be hired.")
    if candidate.worker_id:
        raise ValidationError("This candidate is already hired.")
    provider = provider or (worker.provider if worker else None) or screening.provider
    if provider is None:
        raise ValidationError({"provider": "Name the provider that will employ the worker (the employer of record)."})
    if engagement_model == EngagementModel.UNSPECIFIED:
        raise ValidationError({"engagement_model": "The contract must state the engagement model: outstaffing."})
    if contract_type == ContractType.CONTRACTOR and Decimal(str(weekly_hours)) >= FULL_TIME_HOURS:
        raise ValidationError(
            {
                "contract_type": "A freelance / contractor contract for full-time, client-directed work risks "
                "misclassification; use an employment contract with the provider."
            }
        )
    unchecked = [item.get_code_display() for item in screening.checklist_items.filter(checked=False)]
    override_reason = (override_reason or "").strip()
    if unchecked and not override_reason:
        raise ValidationError(
            {
                "checklist": "Unchecked pre-onboarding items: "
                + "; ".join(unchecked)
                + ". Check them, or have a client admin override with a written reason."
            }
        )
    if unchecked and not actor.is_client_admin:
        raise PermissionDenied("Only a client admin may hire with unchecked checklist items.")

    if worker is not None:
        if worker.client_id != actor.organization.id:
            raise ValidationError({"worker": "No such worker."})
        if Candidate.objects.filter(worker=worker).exists():
            raise ValidationError({"worker": "This worker is already linked to another candidate."})
    else:
        worker = worker_services.worker_create(
            actor=actor,
            provider=provider,
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            work_email=work_email or candidate.email,
            country=country or candidate.country,
            role_title=screening.template.role_title,
            start_date=start_date,
        )
    if not worker.contracts.exists():
        _contract_create(
            worker=worker,
            provider=provider,
            legal_entity=legal_entity,
            contract_type=contract_type,
            engagement_model=engagement_model,
            weekly_hours=weekly_hours,
            starts_on=start_date or worker.start_date or timezone.localdate(),
            signed_on=signed_on,
        )
    candidate.worker = worker
    candidate.full_clean()
    candidate.save()
    screening.provider = provider
    if unchecked:
        screening.checklist_override_reason = override_reason
        worker = worker_services.worker_gate_override(
            actor=actor,
            worker=worker,
            reason=f"Hired with unchecked pre-onboarding items ({'; '.join(unchecked)}): {override_reason}",
        )
    screening.full_clean()
    screening.save()
    _notify(screening)
    return worker


def _contract_create(*, worker: Worker, provider: Provider, legal_entity: LegalEntity | None, **terms):
    # providers has no contract-create service yet; the contract is built here with the same checks.
    if legal_entity is None:
        legal_entity = LegalEntity.objects.filter(provider=provider, country=worker.country, is_active=True).first()
        if legal_entity is None:
            raise ValidationError(
                {
                    "legal_entity": f"{provider.legal_name} has no active legal entity in {worker.country}: "
                    "the provider must employ the worker through an entity in their country."
                }
            )
    elif legal_entity.provider_id != provider.pk:
        raise ValidationError({"legal_entity": "This legal entity belongs to another provider."})
    contract = EmploymentContract(provider=provider, worker=worker, legal_entity=legal_entity, **terms)
    contract.full_clean()
    contract.save()
    send_worker_changed_on_commit(worker_id=worker.id, source="providers.EmploymentContract")
    return contract
