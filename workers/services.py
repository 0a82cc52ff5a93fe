"""Writes of workers. Every function is atomic, validates with full_clean() and takes keyword
arguments only. The onboarding gate (no activation without a passed screening) belongs to the
screening issue and will hook into `worker_activate`."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.actors import Actor
from accounts.choices import OrganizationKind
from accounts.models import Organization
from outstaff.model_update import model_update
from outstaff.signals import send_worker_changed_on_commit
from providers.models import Provider

from .choices import CHECKIN_DAY_OFFSETS, CheckInKind, WorkerStatus
from .models import CheckIn, Worker

EDITABLE_FIELDS = (
    "external_id",
    "first_name",
    "last_name",
    "work_email",
    "country",
    "subdivision",
    "timezone",
    "role_title",
    "start_date",
)


def _check_subdivision(worker: Worker) -> None:
    if worker.subdivision and not worker.subdivision.startswith(f"{worker.country}-"):
        raise ValidationError({"subdivision": f"{worker.subdivision} is not a subdivision of {worker.country}."})


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
    subdivision: str = "",
    continues_worker: Worker | None = None,
    **ignored,
) -> Worker:
    """`continues_worker`: the earlier record of the same person (e.g. with the previous provider);
    the new record joins that person, so tenure caps keep counting across the provider change."""
    provider, client = _resolve_parties(actor=actor, provider=provider, client=client)
    worker = Worker(
        provider=provider,
        client=client,
        external_id=external_id,
        first_name=first_name,
        last_name=last_name,
        work_email=work_email,
        country=(country or "").upper(),
        subdivision=(subdivision or "").upper(),
        timezone=timezone,
        role_title=role_title,
        start_date=start_date,
        status=WorkerStatus.ONBOARDING,
    )
    if continues_worker is not None:
        worker.person_id = continues_worker.person_id
    _check_subdivision(worker)
    worker.full_clean()
    worker.save()
    check_ins_schedule(worker=worker)
    send_worker_changed_on_commit(worker_id=worker.id, source="workers.Worker")
    return worker


@transaction.atomic
def worker_update(*, actor: Actor, instance: Worker, **data) -> Worker:
    """Update a worker's personal and employment facts. Status moves through its own services."""
    worker = Worker.objects.select_for_update().get(pk=instance.pk)
    for field in ("country", "subdivision"):
        if isinstance(data.get(field), str):
            data[field] = data[field].upper()
    worker, changed = model_update(instance=worker, fields=EDITABLE_FIELDS, data=data, validate=_check_subdivision)
    if changed:
        check_ins_schedule(worker=worker)
        send_worker_changed_on_commit(worker_id=worker.id, source="workers.Worker")
    return worker


@transaction.atomic
def worker_offboard(*, actor: Actor, worker: Worker, exit_date: date, exit_reason: str, exit_notes: str = "") -> Worker:
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.status == WorkerStatus.OFFBOARDED:
        raise ValidationError("This worker is already offboarded.")
    if not exit_reason:
        raise ValidationError({"exit_reason": "Say why the worker left."})
    worker.status = WorkerStatus.OFFBOARDED
    worker.exit_date = exit_date
    worker.exit_reason = exit_reason
    worker.exit_notes = exit_notes
    worker.full_clean()
    worker.save()
    send_worker_changed_on_commit(worker_id=worker.id, source="workers.Worker")
    return worker


@transaction.atomic
def worker_reinstate(*, actor: Actor, worker: Worker) -> Worker:
    """Undo an offboarding (e.g. an identity provider deprovisioned the wrong person): the worker
    goes back to onboarding, not to active, so activation passes the onboarding gate again. The
    audit history keeps the offboarding that was undone."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.status != WorkerStatus.OFFBOARDED:
        raise ValidationError("Only an offboarded worker can be reinstated.")
    worker.status = WorkerStatus.ONBOARDING
    worker.exit_date = None
    worker.exit_reason = ""
    worker.exit_notes = ""
    worker.full_clean()
    worker.save()
    send_worker_changed_on_commit(worker_id=worker.id, source="workers.Worker")
    return worker


def _passed_screening(worker: Worker) -> bool:
    # workers sits below screening, so the gate reads the screening through the reverse relation
    # (Candidate.worker → Screening) with a lookup instead of importing the screening app.
    # Only a screening run by the worker's own client counts.
    return Worker.objects.filter(
        pk=worker.pk,
        candidate__client_id=F("client_id"),
        candidate__screenings__client_id=F("client_id"),
        candidate__screenings__status="passed",
    ).exists()


def _record_gate_override(*, actor: Actor, worker: Worker, reason: str) -> None:
    if not actor.is_client_admin or actor.organization.id != worker.client_id:
        raise PermissionDenied("Only a client admin of the worker's client may override the screening gate.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"override_reason": "Write why this worker may skip a passed screening."})
    worker.gate_override_reason = reason
    worker.gate_override_by = actor.user
    worker.gate_override_at = timezone.now()


@transaction.atomic
def worker_gate_override(*, actor: Actor, worker: Worker, reason: str) -> Worker:
    """Let a worker through the onboarding gate without a passed screening (DESIGN §7). Only a client
    admin of the worker's client may, and only with a written reason. The worker stays marked (the
    risk engine flags it) and pghistory records who did it and when."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    _record_gate_override(actor=actor, worker=worker, reason=reason)
    worker.full_clean()
    worker.save()
    send_worker_changed_on_commit(worker_id=worker.id, source="workers.Worker")
    return worker


@transaction.atomic
def worker_activate(*, actor: Actor, worker: Worker, override_reason: str = "") -> Worker:
    """Move an onboarding worker to active. The onboarding gate lives here, so every path (pages,
    API, admin, bulk import) holds it: the worker needs a passed screening, or a client admin's
    written override (given now as `override_reason`, or recorded earlier)."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.status != WorkerStatus.ONBOARDING:
        raise ValidationError({"status": f"Only an onboarding worker can be activated (this one is {worker.status})."})
    if not _passed_screening(worker) and not worker.gate_override_reason:
        if not override_reason:
            raise ValidationError(
                {
                    "status": "This worker has no passed screening. Screen and pass the candidate first, "
                    "or have a client admin override the gate with a written reason."
                }
            )
        _record_gate_override(actor=actor, worker=worker, reason=override_reason)
    worker.status = WorkerStatus.ACTIVE
    if worker.start_date is None:
        worker.start_date = timezone.localdate()
    worker.full_clean()
    worker.save()
    check_ins_schedule(worker=worker)
    send_worker_changed_on_commit(worker_id=worker.id, source="workers.Worker")
    return worker


@transaction.atomic
def check_ins_schedule(*, worker: Worker) -> list[CheckIn]:
    """Create (or move) the worker's day-30/60/90 check-ins from their start date. Done check-ins
    are never moved. Idempotent."""
    if worker.start_date is None:
        return []
    existing = {c.kind: c for c in CheckIn.objects.select_for_update().filter(worker=worker).exclude(kind="ad_hoc")}
    scheduled = []
    for kind, days in CHECKIN_DAY_OFFSETS.items():
        due_on = worker.start_date + timedelta(days=days)
        check_in = existing.get(kind)
        if check_in is None:
            check_in = CheckIn(worker=worker, kind=kind, due_on=due_on)
            check_in.full_clean()
            check_in.save()
        elif check_in.done_on is None and check_in.due_on != due_on:
            check_in.due_on = due_on
            check_in.save(update_fields=["due_on", "updated_at"])
        scheduled.append(check_in)
    return scheduled


@transaction.atomic
def check_in_record(
    *,
    actor: Actor,
    instance: CheckIn,
    done_on: date | None = None,
    engagement: int | None = None,
    role_clarity: int | None = None,
    manager_relationship: int | None = None,
    notes: str = "",
    **ignored,
) -> CheckIn:
    """Record that a check-in happened, with its three 1–5 ratings (all required once it is done)."""
    check_in = CheckIn.objects.select_for_update().get(pk=instance.pk)
    check_in.done_on = done_on or timezone.localdate()
    missing = {
        name: "Rate this from 1 to 5."
        for name, value in (
            ("engagement", engagement),
            ("role_clarity", role_clarity),
            ("manager_relationship", manager_relationship),
        )
        if value is None
    }
    if missing:
        raise ValidationError(missing)
    if check_in.worker.start_date and check_in.done_on < check_in.worker.start_date:
        raise ValidationError({"done_on": "A check-in cannot happen before the worker's start date."})
    check_in.engagement = engagement
    check_in.role_clarity = role_clarity
    check_in.manager_relationship = manager_relationship
    check_in.notes = notes
    if actor.user is not None:
        check_in.manager = actor.user
    check_in.full_clean()
    check_in.save()
    send_worker_changed_on_commit(worker_id=check_in.worker_id, source="workers.CheckIn")
    return check_in


@transaction.atomic
def check_in_create(*, actor: Actor, worker: Worker, due_on: date, notes: str = "", **ignored) -> CheckIn:
    """An ad-hoc check-in (the milestones are scheduled automatically from the start date)."""
    if actor.is_provider:
        raise ValidationError("Check-ins are held by the client's directing managers.")
    check_in = CheckIn(worker=worker, kind=CheckInKind.AD_HOC, due_on=due_on, notes=notes)
    check_in.full_clean()
    check_in.save()
    send_worker_changed_on_commit(worker_id=worker.id, source="workers.CheckIn")
    return check_in
