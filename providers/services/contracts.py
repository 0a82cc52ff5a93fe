"""Employment contracts: worker × legal entity, the contract type and the engagement model.

Record reality, then flag it (DESIGN §6): a contract with no stated engagement model
(`unspecified`), a contractor contract at full-time hours or an unsigned contract is stored on every
path (page, API, bulk, hire) exactly as the HR system holds it; the risk scan flags it. Only what
cannot be true is refused (another provider's entity or worker, an end before the start)."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.actors import Actor
from outstaff.bulk import BulkSpec, bulk_upsert
from outstaff.etags import etag_for
from outstaff.model_update import model_set, model_update
from outstaff.signals import ResourceChange

from ..models import EmploymentContract, LegalEntity, Provider
from ..selectors import worker_model
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
SOURCE = "providers.EmploymentContract"


def _validate_contract(contract: EmploymentContract) -> None:
    """The rules every contract write holds (single, bulk, hire), on the in-memory row."""
    errors = {}
    if contract.legal_entity_id and contract.legal_entity.provider_id != contract.provider_id:
        errors["legal_entity"] = "This legal entity belongs to another provider."
    if contract.worker_id and contract.worker.provider_id != contract.provider_id:
        errors["worker"] = "This worker is not employed by this provider."
    if contract.starts_on and contract.ends_on and contract.ends_on < contract.starts_on:
        errors["ends_on"] = "The contract cannot end before it starts."
    if contract.signed_on and contract.ends_on and contract.signed_on > contract.ends_on:
        errors["signed_on"] = "The contract cannot be signed after it ends."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def employment_contract_record(*, provider: Provider, **data) -> EmploymentContract:
    """Store a new contract of `provider`'s. The one way a contract is created: by the provider
    (`contract_create`) or by a client hiring a screened candidate (`screening_hire`)."""
    contract = EmploymentContract(provider=provider)
    model_set(instance=contract, fields=CONTRACT_FIELDS, data=data)
    _validate_contract(contract)
    contract.full_clean()
    contract.save()
    notify_workers_changed([contract.worker_id], SOURCE, changes=[ResourceChange.of(contract, "created")])
    return contract


@transaction.atomic
def contract_create(*, actor: Actor, **data) -> EmploymentContract:
    return employment_contract_record(provider=_provider_of(actor), **data)


@transaction.atomic
def contract_update(*, actor: Actor, instance: EmploymentContract, **data) -> EmploymentContract:
    _own(actor, instance)
    contract = EmploymentContract.objects.select_for_update().get(pk=instance.pk)
    old_worker = contract.worker_id
    contract, changed = model_update(instance=contract, fields=CONTRACT_FIELDS, data=data, validate=_validate_contract)
    if changed:
        notify_workers_changed(
            {old_worker, contract.worker_id},
            SOURCE,
            changes=[ResourceChange.of(contract, "updated", changed)],
        )
    return contract


# --- bulk upsert by external_id (DESIGN §8) ------------------------------------------------------
def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


class _ContractBulkSpec(BulkSpec):
    """Contracts for `bulk_upsert`: the rows and rules of `contract_create` / `contract_update`. A
    contract names its worker by `worker` (id) or `worker_external_id`, its entity by `legal_entity`
    (id) or `legal_entity_country` (the provider's active entity there)."""

    model = EmploymentContract
    fields = tuple(f for f in CONTRACT_FIELDS if f != "external_id")
    extra_fields = ("worker_external_id", "legal_entity_country")
    required_on_create = ("contract_type", "starts_on", "weekly_hours")

    def __init__(self, actor: Actor):
        self.provider = _provider_of(actor)

    def existing(self, external_ids):
        rows = (
            EmploymentContract.objects.filter(provider_id=self.provider.pk, external_id__in=external_ids)
            .select_related("worker", "legal_entity")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        return {c.external_id: c for c in rows}

    def resolve(self, items):
        worker_ids = {_uuid(i.data.get("worker")) for i in items} - {None}
        worker_exts = {str(i.data["worker_external_id"]) for i in items if i.data.get("worker_external_id")}
        workers = list(
            worker_model()
            .objects.filter(provider_id=self.provider.pk)
            .filter(Q(id__in=worker_ids) | Q(external_id__in=worker_exts))
        )
        by_id = {w.pk: w for w in workers}
        by_ext = {w.external_id: w for w in workers if w.external_id}
        entity_ids = {_uuid(i.data.get("legal_entity")) for i in items} - {None}
        countries = {str(i.data["legal_entity_country"]).upper() for i in items if i.data.get("legal_entity_country")}
        entities = list(
            LegalEntity.objects.filter(provider_id=self.provider.pk).filter(
                Q(id__in=entity_ids) | Q(country__in=countries, is_active=True)
            )
        )
        entities_by_id = {e.pk: e for e in entities}
        entities_by_country = {}
        for entity in sorted(entities, key=lambda e: (e.country, e.created_at)):
            if entity.is_active:
                entities_by_country.setdefault(entity.country, entity)
        for item in items:
            data = item.data
            worker_ext = data.pop("worker_external_id", None)
            if data.get("worker") not in (None, ""):
                data["worker"] = by_id.get(_uuid(data["worker"]))
                if data["worker"] is None:
                    item.fail({"worker": ["Unknown worker: no worker with this id is employed by you."]})
            elif worker_ext:
                data["worker"] = by_ext.get(str(worker_ext))
                if data["worker"] is None:
                    item.fail({"worker_external_id": [f"Unknown worker “{worker_ext}” employed by you."]})
            elif item.instance is None:
                item.fail({"worker": ["Name the worker (worker or worker_external_id)."]})
            country = data.pop("legal_entity_country", None)
            if data.get("legal_entity") not in (None, ""):
                data["legal_entity"] = entities_by_id.get(_uuid(data["legal_entity"]))
                if data["legal_entity"] is None:
                    item.fail({"legal_entity": ["Unknown legal entity of yours."]})
            elif country:
                data["legal_entity"] = entities_by_country.get(str(country).upper())
                if data["legal_entity"] is None:
                    item.fail({"legal_entity_country": [f"You have no active legal entity in {country}."]})
            elif item.instance is None:
                item.fail({"legal_entity": ["Name the legal entity (legal_entity or legal_entity_country)."]})

    def new_instance(self, item):
        return EmploymentContract(provider=self.provider, external_id=item.external_id)

    def validate(self, instance, item):
        _validate_contract(instance)

    def after_write(self, created, updated):
        notify_workers_changed(
            [c.worker_id for c in created] + [i.instance.worker_id for i in updated],
            SOURCE,
            changes=[ResourceChange.of(c, "created") for c in created]
            + [ResourceChange.of(i.instance, "updated", i.changes) for i in updated],
        )


@transaction.atomic
def contracts_upsert(*, actor: Actor, items: list[dict], atomic: bool = False) -> tuple[list[dict], bool]:
    """Create or update up to 1,000 contracts by `external_id` with the rules of `contract_create`
    and `contract_update`; per-item results, and whether they were applied."""
    return bulk_upsert(spec=_ContractBulkSpec(actor), items=items, atomic=atomic, etag_for=etag_for)
