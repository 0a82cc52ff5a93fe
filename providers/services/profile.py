"""The provider's own profile."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.actors import Actor
from outstaff.model_update import model_update

from ..models import Provider

PROVIDER_FIELDS = ("legal_name", "website", "headquarters_country")


@transaction.atomic
def provider_update(*, actor: Actor, instance: Provider, **data) -> Provider:
    if instance.organization_id != actor.organization.id:
        raise PermissionDenied("You can only change your own provider profile.")
    provider = Provider.objects.select_for_update().get(pk=instance.pk)
    if "headquarters_country" in data:
        data["headquarters_country"] = (data["headquarters_country"] or "").upper()
    provider, _changed = model_update(instance=provider, fields=PROVIDER_FIELDS, data=data)
    return provider
