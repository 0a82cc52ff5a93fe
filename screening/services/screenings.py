"""Candidates and screenings: stages, the stored composite, the decision and the checklist."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from outstaff.model_update import model_set, model_update
from providers.models import Provider

from .. import selectors
from ..choices import (
    ChecklistCode,
    ScreeningStage,
    ScreeningStatus,
)
from ..models import Candidate, ChecklistItem, Screening, ScreeningTemplate
from ..validity import mix_validity
from .base import _notify, _require_client, _require_in_progress

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
    values = {name: data[name] or "" for name in CANDIDATE_FIELDS if name in data}
    if "country" in values:
        values["country"] = values["country"].upper()
    candidate, _changed = model_update(instance=candidate, fields=CANDIDATE_FIELDS, data=values)
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
def screening_start(
    *,
    actor: Actor,
    first_name: str,
    last_name: str,
    email: str,
    template: ScreeningTemplate,
    country: str = "",
    provider: Provider | None = None,
    **ignored,
) -> Screening:
    """A new candidate and their screening in one step (the board's form): both or neither."""
    candidate = candidate_create(actor=actor, first_name=first_name, last_name=last_name, email=email, country=country)
    return screening_create(actor=actor, candidate=candidate, template=template, provider=provider)


@transaction.atomic
def screening_update(*, actor: Actor, instance: Screening, **data) -> Screening:
    """Move a screening between stages, or name the provider that will employ the worker."""
    _require_client(actor)
    screening = (
        Screening.objects.select_for_update(of=("self",))
        .select_related("candidate")
        .get(pk=instance.pk, client_id=actor.organization.id)
    )
    if "stage" in data and data["stage"] != screening.stage:
        _require_in_progress(screening)
    if "provider" in data:
        new_provider_id = data["provider"].pk if data["provider"] is not None else None
        if screening.candidate.worker_id and new_provider_id != screening.provider_id:
            raise ValidationError(
                {"provider": "The candidate is hired: the provider is the worker's employer and cannot change here."}
            )
    if "external_id" in data:
        data["external_id"] = data["external_id"] or ""
    screening, _changed = model_update(instance=screening, fields=("stage", "provider", "external_id"), data=data)
    return screening


@transaction.atomic
def screening_scores_refresh(*, screening: Screening) -> Screening:
    """Store the composite and the expected validity of the method mix on the screening."""
    composite = selectors.screening_composite(screening=screening)
    values = {"composite_score": composite.score, "expected_validity": composite.validity.value}
    # The same composite again (e.g. a draft saved): nothing saved or audited.
    if model_set(instance=screening, fields=values, data=values):
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
        # Someone who has not submitted their own scorecard is not told the composite (blind rule).
        failures = selectors.screening_pass_failures(
            screening=screening, show_score=selectors.viewer_may_see_ratings(actor=actor, screening=screening)
        )
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
    decided = ["status", "stage", "decided_by", "decided_at", "decision_notes", "override_reason"]
    _notify(screening, changed_fields=decided, event="screening.decided")
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
    if item.checked == bool(checked) and item.note == (note or ""):
        return item  # ticked (or unticked) again with the same note: nothing saved or audited
    item.checked = bool(checked)
    item.checked_by = actor.user if checked else None
    item.checked_at = timezone.now() if checked else None
    item.note = note or ""
    item.full_clean()
    item.save()
    return item
