"""Hiring a passed candidate: the worker, the provider and an outstaffing employment contract."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from providers import services as provider_services
from providers.choices import ContractType, EngagementModel
from providers.models import LegalEntity, Provider
from workers import services as worker_services
from workers.models import Worker

from ..choices import (
    ScreeningStatus,
)
from ..models import Candidate, Screening
from .base import _notify, _require_client


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
    # Record reality (DESIGN §6): an unspecified engagement model, a contractor at full-time hours
    # or an unsigned contract is stored as agreed, like on every other path, and the scan flags it.
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
        if worker.provider_id != provider.pk:
            raise ValidationError(
                {"provider": f"{worker.full_name} is employed by another provider; hire through that provider."}
            )
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
    _notify(screening, changed_fields=["provider", "checklist_override_reason"])
    return worker


def screening_worker_activate(*, actor: Actor, screening: Screening, override_reason: str = "", **ignored) -> Worker:
    """Activate the worker hired from this screening; the onboarding gate is workers.services.worker_activate's."""
    if not actor.is_client:
        # A provider sees the screening's outcome, but activation is the screening client's act.
        raise PermissionDenied("Only the client that screened the candidate activates the hired worker.")
    screening = Screening.objects.select_related("candidate__worker").get(
        pk=screening.pk, client_id=actor.organization.id
    )
    if screening.candidate.worker is None:
        raise ValidationError({"worker": "Hire the candidate first."})
    return worker_services.worker_activate(
        actor=actor, worker=screening.candidate.worker, override_reason=override_reason
    )


def _contract_create(*, worker: Worker, provider: Provider, legal_entity: LegalEntity | None, **terms):
    """The hire's contract, through the providers' one contract-creating service; without a named
    entity, the provider's active entity in the worker's country."""
    if legal_entity is None:
        legal_entity = LegalEntity.objects.filter(provider=provider, country=worker.country, is_active=True).first()
        if legal_entity is None:
            raise ValidationError(
                {
                    "legal_entity": f"{provider.legal_name} has no active legal entity in {worker.country}: "
                    "the provider must employ the worker through an entity in their country."
                }
            )
    return provider_services.employment_contract_record(
        provider=provider, worker=worker, legal_entity=legal_entity, **terms
    )
