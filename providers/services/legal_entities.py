"""A provider's legal entities, one per country it employs in, with their staffing licences."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.actors import Actor
from outstaff.model_update import model_update
from outstaff.signals import ResourceChange, record_resource_changes

from ..compliance_requirements import staffing_licence_required
from ..models import LegalEntity
from .base import _own, _provider_of, notify_workers_changed

ENTITY_FIELDS = (
    "country",
    "name",
    "registration_number",
    "staffing_licence_number",
    "staffing_licence_expires_on",
    "is_active",
)


def _validate_entity(entity: LegalEntity) -> None:
    entity.country = (entity.country or "").upper()
    if entity.staffing_licence_expires_on and not entity.staffing_licence_number:
        raise ValidationError({"staffing_licence_number": "Give the licence number along with its expiry date."})
    if (
        staffing_licence_required(entity.country)
        and entity.staffing_licence_number
        and not (entity.staffing_licence_expires_on)
    ):
        raise ValidationError(
            {"staffing_licence_expires_on": f"{entity.country} staffing licences expire; give the expiry date."}
        )


@transaction.atomic
def legal_entity_create(
    *,
    actor: Actor,
    country: str,
    name: str,
    registration_number: str,
    staffing_licence_number: str = "",
    staffing_licence_expires_on: dt.date | None = None,
    is_active: bool = True,
    **ignored,
) -> LegalEntity:
    entity = LegalEntity(
        provider=_provider_of(actor),
        country=country,
        name=name,
        registration_number=registration_number,
        staffing_licence_number=staffing_licence_number,
        staffing_licence_expires_on=staffing_licence_expires_on,
        is_active=is_active,
    )
    _validate_entity(entity)
    entity.full_clean()
    entity.save()
    record_resource_changes(changes=[ResourceChange.of(entity, "created")])
    return entity


@transaction.atomic
def legal_entity_update(*, actor: Actor, instance: LegalEntity, **data) -> LegalEntity:
    _own(actor, instance)
    entity = LegalEntity.objects.select_for_update().get(pk=instance.pk)
    if "country" in data:
        data["country"] = (data["country"] or "").upper()
    entity, changed = model_update(instance=entity, fields=ENTITY_FIELDS, data=data, validate=_validate_entity)
    if changed:
        change = ResourceChange.of(entity, "updated", changed)
        # Workers under this entity are judged on its licence and country (risk engine): rescan them.
        worker_ids = list(entity.contracts.values_list("worker_id", flat=True).distinct())
        if worker_ids:
            notify_workers_changed(worker_ids, "providers.LegalEntity", changes=[change])
        else:
            record_resource_changes(changes=[change])
    return entity
