"""Writes of workers. Every function is atomic, validates with full_clean() and takes keyword
arguments only. The onboarding gate (no activation without a passed screening) belongs to the
screening issue and will hook into `worker_activate`."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.actors import Actor
from accounts.choices import OrganizationKind
from accounts.models import Organization
from outstaff.signals import send_worker_changed_on_commit
from providers.models import Provider

from .choices import WorkerStatus
from .models import Worker

EDITABLE_FIELDS = (
    "external_id",
    "first_name",
    "last_name",
    "work_email",
    "country",
    "timezone",
    "role_title",
    "start_date",
)


def _resolve_parties(*, actor: Actor, provider: Provider | None, client: Organization | None):
    """The acting organization is always one of the two parties of a worker it creates."""
    if actor.is_provider:
        provider = Provider.objects.get(organization_id=actor.organization.id)
        if client is None:
            raise ValidationError({"client": "Name the client this worker is dedicated to."})
    else:
        client = actor.organization
        if provider is None:
            raise ValidationError({"provider": "Name the provider that employs this worker."})
    if client.kind != OrganizationKind.CLIENT:
        raise ValidationError({"client": "This organization is not a client."})
    return provider, client


@transaction.atomic
def worker_create(
    *,
    actor: Actor,
    first_name: str,
    last_name: str,
    work_email: str,
    country: str,
    provider: Provider | None = None,
    client: Organization | None = None,
    external_id: str = "",
    timezone: str = "UTC",
    role_title: str = "",
    start_date: date | None = None,
    **ignored,
) -> Worker:
    provider, client = _resolve_parties(actor=actor, provider=provider, client=client)
    worker = Worker(
        provider=provider,
        client=client,
        external_id=external_id,
        first_name=first_name,
        last_name=last_name,
        work_email=work_email,
        country=(country or "").upper(),
        timezone=timezone,
        role_title=role_title,
        start_date=start_date,
        status=WorkerStatus.ONBOARDING,
    )
    worker.full_clean()
    worker.save()
    send_worker_changed_on_commit(worker_id=worker.id, source="workers.Worker")
    return worker


@transaction.atomic
def worker_update(*, actor: Actor, instance: Worker, **data) -> Worker:
    """Update a worker's personal and employment facts. Status moves through its own services."""
    worker = Worker.objects.select_for_update().get(pk=instance.pk)
    for field in EDITABLE_FIELDS:
        if field in data:
            value = data[field]
            setattr(worker, field, value.upper() if field == "country" and isinstance(value, str) else value)
    worker.full_clean()
    worker.save()
    send_worker_changed_on_commit(worker_id=worker.id, source="workers.Worker")
    return worker


@transaction.atomic
def worker_offboard(*, actor: Actor, worker: Worker, exit_date: date, exit_reason: str, exit_notes: str = "") -> Worker:
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.status == WorkerStatus.OFFBOARDED:
        raise ValidationError("This worker is already offboarded.")
    worker.status = WorkerStatus.OFFBOARDED
    worker.exit_date = exit_date
    worker.exit_reason = exit_reason
    worker.exit_notes = exit_notes
    if not exit_reason:
        raise ValidationError({"exit_reason": "Say why the worker left."})
    worker.full_clean()
    worker.save()
    send_worker_changed_on_commit(worker_id=worker.id, source="workers.Worker")
    return worker
