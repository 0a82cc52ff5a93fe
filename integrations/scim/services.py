"""SCIM writes (RFC 7644 §3.3–3.6) on workers. Every change goes through the worker services
(`worker_create`, `worker_update`, `worker_offboard`), so SCIM holds the same rules as the REST API,
the pages and bulk; the SCIM-only facts (userName, externalId, deprovisioning) live in
`ScimIdentity`. Who provisions: the provider that employs the worker (its HRIS is the system of
record of employment); a client's key may read the Users dedicated to it but not write them."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from scim2_models import (
    ForbiddenException,
    InvalidValueException,
    MutabilityException,
    PatchOp,
    UniquenessException,
)

from accounts.actors import Actor
from accounts.choices import OrganizationKind
from accounts.models import Organization
from workers import services as worker_services
from workers.choices import ExitReason, WorkerStatus
from workers.models import Worker

from ..models import ScimIdentity
from .schema import ScimWorker, WorkerAddress, WorkerEmail, WorkerEnterprise, WorkerManager, WorkerName


def _check_can_provision(actor: Actor) -> None:
    if not actor.is_provider:
        raise ForbiddenException(
            detail="Workers are provisioned by the provider that employs them; a client's key may only read them."
        )


def _primary(entries):
    # Outstaff keeps one e-mail and one country; a client sending several has the first kept
    # (scim2-models has already put the `primary` one first, if any was marked).
    return (entries or [None])[0]


def _worker_fields(resource: ScimWorker) -> dict:
    """The worker's own fields a User carries (a PUT replaces all of them)."""
    name = resource.name or WorkerName()
    email, address = _primary(resource.emails), _primary(resource.addresses)
    enterprise = resource[WorkerEnterprise] or WorkerEnterprise()
    return {
        "first_name": name.given_name or "",
        "last_name": name.family_name or "",
        "work_email": (email.value if email else "") or "",
        "country": ((address.country if address else "") or "").upper(),
        "role_title": resource.title or "",
        "external_id": enterprise.employee_number or "",
    }


def _client_named(name: str | None) -> Organization:
    if not name:
        raise InvalidValueException(detail="Name the client this worker is dedicated to (enterprise `organization`).")
    clients = list(Organization.objects.filter(kind=OrganizationKind.CLIENT, is_active=True, name__iexact=name)[:2])
    if len(clients) != 1:
        clients = list(Organization.objects.filter(kind=OrganizationKind.CLIENT, is_active=True, slug=name)[:1])
    if not clients:
        raise InvalidValueException(detail=f"No client organization is called {name!r}.")
    return clients[0]


def _check_user_name_free(*, provider_id, user_name: str, worker_id=None) -> None:
    taken = ScimIdentity.objects.filter(provider_id=provider_id, deprovisioned_at__isnull=True)
    taken = taken.annotate(lower=Lower("user_name")).filter(lower=user_name.lower())
    if worker_id:
        taken = taken.exclude(worker_id=worker_id)
    if taken.exists():
        raise UniquenessException(detail=f"userName {user_name!r} is already provisioned.")


def _as_scim_error(error: ValidationError) -> InvalidValueException | UniquenessException:
    messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    detail = "; ".join(f"{field}: {' '.join(texts)}" if field else " ".join(texts) for field, texts in messages.items())
    if any("already exists" in text for texts in messages.values() for text in texts):
        return UniquenessException(detail=detail)
    return InvalidValueException(detail=detail)


def _deactivate(*, actor: Actor, worker: Worker) -> Worker:
    """`active: false`: offboard the worker today (or on their start date if it is still ahead)."""
    exit_date = max(timezone.localdate(), worker.start_date or dt.date.min)
    return worker_services.worker_offboard(
        actor=actor, worker=worker, exit_date=exit_date, exit_reason=ExitReason.NOT_STATED
    )


def _apply_active(*, actor: Actor, worker: Worker, active: bool | None) -> Worker:
    if active is False and worker.status != WorkerStatus.OFFBOARDED:
        return _deactivate(actor=actor, worker=worker)
    if active is True and worker.status == WorkerStatus.OFFBOARDED:
        # Back to onboarding, not active: activation still needs a passed screening.
        return worker_services.worker_reinstate(actor=actor, worker=worker)
    return worker


@transaction.atomic
def scim_user_create(*, actor: Actor, resource: ScimWorker) -> Worker:
    """POST /Users: a new worker of the acting provider, dedicated to the named client."""
    _check_can_provision(actor)
    enterprise = resource[WorkerEnterprise] or WorkerEnterprise()
    client = _client_named(enterprise.organization)
    _check_user_name_free(provider_id=actor.organization.id, user_name=resource.user_name)
    try:
        worker = worker_services.worker_create(actor=actor, client=client, **_worker_fields(resource))
        ScimIdentity.objects.create(
            worker=worker,
            provider_id=worker.provider_id,
            user_name=resource.user_name,
            external_id=resource.external_id or "",
        )
        worker = _apply_active(actor=actor, worker=worker, active=resource.active)
    except ValidationError as error:
        raise _as_scim_error(error) from error
    return worker


@transaction.atomic
def scim_user_replace(*, actor: Actor, worker: Worker, resource: ScimWorker) -> Worker:
    """PUT /Users/{id}: every writable attribute takes the value sent (absent ones are cleared).
    The client (`organization`) is immutable: it may be repeated, not changed."""
    _check_can_provision(actor)
    worker = Worker.objects.select_for_update().select_related("client").get(pk=worker.pk)
    enterprise = resource[WorkerEnterprise] or WorkerEnterprise()
    if enterprise.organization and enterprise.organization.lower() not in (
        worker.client.name.lower(),
        worker.client.slug,
    ):
        raise MutabilityException(detail="`organization` (the client) cannot change; provision a new User instead.")
    _check_user_name_free(provider_id=worker.provider_id, user_name=resource.user_name, worker_id=worker.id)
    try:
        worker = worker_services.worker_update(actor=actor, instance=worker, **_worker_fields(resource))
        identity, created = ScimIdentity.objects.get_or_create(
            worker=worker,
            defaults={
                "provider_id": worker.provider_id,
                "user_name": resource.user_name,
                "external_id": resource.external_id or "",
            },
        )
        if not created and (identity.user_name, identity.external_id) != (
            resource.user_name,
            resource.external_id or "",
        ):
            identity.user_name, identity.external_id = resource.user_name, resource.external_id or ""
            identity.save(update_fields=["user_name", "external_id", "updated_at"])
        worker = _apply_active(actor=actor, worker=worker, active=resource.active)
    except ValidationError as error:
        raise _as_scim_error(error) from error
    return worker


@transaction.atomic
def scim_user_patch(*, actor: Actor, worker: Worker, patch: PatchOp, resource: ScimWorker) -> Worker:
    """PATCH /Users/{id}: scim2-models applies the operations (add / replace / remove) to the
    User as it stands, and the result is saved like a PUT. `replace active false` offboards."""
    _check_can_provision(actor)
    patch.patch(resource)
    return scim_user_replace(actor=actor, worker=worker, resource=resource)


@transaction.atomic
def scim_user_deprovision(*, actor: Actor, worker: Worker) -> None:
    """DELETE /Users/{id}: offboard the worker (not a row delete: their contracts, payroll and
    history stay) and hide the User from SCIM from now on (404)."""
    _check_can_provision(actor)
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.status != WorkerStatus.OFFBOARDED:
        worker = _deactivate(actor=actor, worker=worker)
    identity, _ = ScimIdentity.objects.get_or_create(
        worker=worker, defaults={"provider_id": worker.provider_id, "user_name": worker.work_email}
    )
    identity.deprovisioned_at = timezone.now()
    identity.save(update_fields=["deprovisioned_at", "updated_at"])


def scim_user_representation(*, worker: Worker, location: str) -> ScimWorker:
    """The User a worker is (reads `scim_worker_list`'s prefetched current assignment)."""
    identity = getattr(worker, "scim_identity", None) if hasattr(worker, "scim_identity") else None
    current = (getattr(worker, "current_assignments", None) or [None])[0]
    manager = None
    if current is not None and current.manager is not None:
        manager = WorkerManager(value=str(current.manager.id), display_name=str(current.manager))
    last_modified = getattr(worker, "last_modified", None) or max(
        worker.updated_at, identity.updated_at if identity else worker.updated_at
    )
    user = ScimWorker(
        id=str(worker.id),
        external_id=(identity.external_id or None) if identity else None,
        user_name=identity.user_name if identity else worker.work_email,
        name=WorkerName(given_name=worker.first_name, family_name=worker.last_name),
        display_name=worker.full_name,
        title=worker.role_title or None,
        active=worker.status != WorkerStatus.OFFBOARDED,
        emails=[WorkerEmail(value=worker.work_email)],
        addresses=[WorkerAddress(country=worker.country)],
        meta={
            "resourceType": "User",
            "created": worker.created_at,
            "lastModified": last_modified,
            "location": location,
        },
    )
    user[WorkerEnterprise] = WorkerEnterprise(
        employee_number=worker.external_id or None,
        organization=worker.client.name,
        department=current.team.name if current is not None else None,
        manager=manager,
    )
    return user
