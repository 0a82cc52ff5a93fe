"""Employment contracts: worker × legal entity, the contract type and the engagement model."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.actors import Actor
from outstaff.model_update import model_set, model_update

from ..choices import EngagementModel
from ..models import EmploymentContract
from .base import _own, _provider_of, notify_workers_changed

CONTRACT_FIELDS = (
    "worker",
    "legal_entity",
    "external_id",
    "contract_type",
    "engagement_model",
    "signed_on",
    "starts_on",
    "ends_on",
    "weekly_hours",
)


def _validate_contract(contract: EmploymentContract) -> None:
    errors = {}
    if contract.legal_entity_id and contract.legal_entity.provider_id != contract.provider_id:
        errors["legal_entity"] = "This legal entity belongs to another provider."
    if contract.worker_id and contract.worker.provider_id != contract.provider_id:
        errors["worker"] = "This worker is not employed by this provider."
    if contract.engagement_model not in (EngagementModel.OUTSTAFFING, EngagementModel.OUTSOURCING):
        errors["engagement_model"] = (
            "State the engagement model: outstaffing (the client directs the work) or outsourcing "
            "(the vendor directs it and owns the outcome)."
        )
    if contract.starts_on and contract.ends_on and contract.ends_on < contract.starts_on:
        errors["ends_on"] = "The contract cannot end before it starts."
    if contract.signed_on and contract.ends_on and contract.signed_on > contract.ends_on:
        errors["signed_on"] = "The contract cannot be signed after it ends."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contract_create(*, actor: Actor, **data) -> EmploymentContract:
    provider = _provider_of(actor)
    contract = EmploymentContract(provider=provider)
    data.setdefault("engagement_model", "")
    model_set(instance=contract, fields=CONTRACT_FIELDS, data=data)
    _validate_contract(contract)
    contract.full_clean()
    contract.save()
    notify_workers_changed([contract.worker_id], "providers.EmploymentContract")
    return contract


@transaction.atomic
def contract_update(*, actor: Actor, instance: EmploymentContract, **data) -> EmploymentContract:
    _own(actor, instance)
    contract = EmploymentContract.objects.select_for_update().get(pk=instance.pk)
    old_worker = contract.worker_id
    contract, changed = model_update(instance=contract, fields=CONTRACT_FIELDS, data=data, validate=_validate_contract)
    if changed:
        notify_workers_changed({old_worker, contract.worker_id}, "providers.EmploymentContract")
    return contract
