"""Writes of workers. Every function is atomic, validates with full_clean() and takes keyword
arguments only. The onboarding gate (no activation without a passed screening) belongs to the
screening issue and will hook into `worker_activate`."""

import uuid
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.choices import OrganizationKind
from accounts.models import Organization
from outstaff.bulk import BulkSpec, bulk_upsert
from outstaff.etags import etag_for
from outstaff.model_update import model_save_changed, model_set, model_update
from outstaff.signals import ResourceChange, send_worker_changed_on_commit, send_workers_changed_on_commit
from providers.models import Provider

from . import selectors
from .choices import CHECKIN_DAY_OFFSETS, CheckInKind, WorkerStatus
from .gate import worker_has_passed_screening
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

CHECK_IN_RECORD_FIELDS = ("done_on", "engagement", "role_clarity", "manager_relationship", "notes", "manager")


def _check_subdivision(worker: Worker) -> None:
    if worker.subdivision and not worker.subdivision.startswith(f"{worker.country}-"):
        raise ValidationError({"subdivision": f"{worker.subdivision} is not a subdivision of {worker.country}."})


def _resolve_parties(*, actor: Actor, provider: Provider | None, client: Organization | None):
    """The acting organization is always one of the two parties of a worker it creates; naming
    another organization in its place is refused, not silently replaced."""
    if actor.is_provider:
        if provider is not None and provider.pk != actor.organization.id:
            raise ValidationError({"provider": "You can only create workers you employ."})
        provider = Provider.objects.get(organization_id=actor.organization.id)
        if client is None:
            raise ValidationError({"client": "Name the client this worker is dedicated to."})
    else:
        if client is not None and client.pk != actor.organization.id:
            raise ValidationError({"client": "You can only create workers dedicated to your organization."})
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
    send_worker_changed_on_commit(
        worker_id=worker.id, source="workers.Worker", changes=[ResourceChange.of(worker, "created")]
    )
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
        send_worker_changed_on_commit(
            worker_id=worker.id, source="workers.Worker", changes=[ResourceChange.of(worker, "updated", changed)]
        )
    return worker


@transaction.atomic
def worker_offboard(
    *, actor: Actor, worker: Worker, exit_date: date, exit_reason: str, exit_notes: str = "", today: date | None = None
) -> Worker:
    """Offboard the worker on `exit_date`. A date still to come schedules the exit instead: the
    worker keeps their status until that day, when `worker_exits_apply` offboards them (daily beat).
    Calling it again before the day moves or changes the scheduled exit."""
    today = today or timezone.localdate()
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.status == WorkerStatus.OFFBOARDED:
        if (worker.exit_date, worker.exit_reason, worker.exit_notes) == (exit_date, exit_reason, exit_notes):
            return worker  # the same offboarding sent again (an HRIS retry): silent
        raise ValidationError("This worker is already offboarded.")
    if not exit_reason:
        raise ValidationError({"exit_reason": "Say why the worker left."})
    data = {"exit_date": exit_date, "exit_reason": exit_reason, "exit_notes": exit_notes}
    if exit_date <= today:
        data["status"] = WorkerStatus.OFFBOARDED
    # The same scheduled exit again is silent (nothing saved, audited or announced).
    changed = model_set(instance=worker, fields=("status", "exit_date", "exit_reason", "exit_notes"), data=data)
    worker, changed = model_save_changed(instance=worker, changed=changed)
    if changed:
        event = "worker.offboarded" if "status" in changed else ""
        send_worker_changed_on_commit(
            worker_id=worker.id,
            source="workers.Worker",
            changes=[ResourceChange.of(worker, "updated", changed, event=event)],
        )
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
    changed = ["status", "exit_date", "exit_reason", "exit_notes"]
    send_worker_changed_on_commit(
        worker_id=worker.id, source="workers.Worker", changes=[ResourceChange.of(worker, "updated", changed)]
    )
    return worker


@transaction.atomic
def worker_exit_cancel(*, actor: Actor, worker: Worker) -> Worker:
    """Withdraw a scheduled exit (the worker stays)."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.status == WorkerStatus.OFFBOARDED:
        raise ValidationError("This worker has already left; the exit can no longer be withdrawn.")
    if worker.exit_date is None:
        raise ValidationError("This worker has no scheduled exit.")
    worker.exit_date, worker.exit_reason, worker.exit_notes = None, "", ""
    worker.full_clean()
    worker.save(update_fields=["exit_date", "exit_reason", "exit_notes", "updated_at"])
    send_worker_changed_on_commit(
        worker_id=worker.id,
        source="workers.Worker",
        changes=[ResourceChange.of(worker, "updated", ["exit_date", "exit_reason", "exit_notes"])],
    )
    return worker


def worker_exits_apply(*, today: date | None = None) -> list:
    """Offboard every worker whose scheduled exit day has come; returns their ids. Each worker in
    its own transaction under a row lock, so a rerun (or two beats at once) offboards nobody twice."""
    today = today or timezone.localdate()
    done = []
    for worker_id in selectors.worker_exits_due(today=today).values_list("id", flat=True):
        with transaction.atomic():
            worker = Worker.objects.select_for_update().get(pk=worker_id)
            if worker.status == WorkerStatus.OFFBOARDED or worker.exit_date is None or worker.exit_date > today:
                continue
            worker.status = WorkerStatus.OFFBOARDED
            worker.full_clean()
            worker.save(update_fields=["status", "updated_at"])
            send_worker_changed_on_commit(
                worker_id=worker.id,
                source="workers.Worker",
                changes=[ResourceChange.of(worker, "updated", ["status"], event="worker.offboarded")],
            )
            done.append(worker.id)
    return done


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
    recorded = worker.gate_override_reason
    _record_gate_override(actor=actor, worker=worker, reason=reason)
    if recorded and recorded == worker.gate_override_reason:
        # The same override again: it stands as recorded (who and when), nothing is written.
        worker.refresh_from_db()
        return worker
    worker.full_clean()
    worker.save()
    changed = ["gate_override_reason", "gate_override_by", "gate_override_at"]
    send_worker_changed_on_commit(
        worker_id=worker.id, source="workers.Worker", changes=[ResourceChange.of(worker, "updated", changed)]
    )
    return worker


@transaction.atomic
def worker_activate(*, actor: Actor, worker: Worker, override_reason: str = "") -> Worker:
    """Move an onboarding worker to active. The onboarding gate lives here, so every path (pages,
    API, admin, bulk import) holds it: the worker needs a passed screening, or a client admin's
    written override (given now as `override_reason`, or recorded earlier)."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.status == WorkerStatus.ACTIVE and not override_reason:
        return worker  # activated already: activating again changes, audits and announces nothing
    if worker.status != WorkerStatus.ONBOARDING:
        raise ValidationError({"status": f"Only an onboarding worker can be activated (this one is {worker.status})."})
    if not worker.gate_override_reason and not worker_has_passed_screening(worker=worker):
        if not override_reason:
            raise ValidationError(
                {
                    "status": "This worker has no passed screening. Screen and pass the candidate first, "
                    "or have a client admin override the gate with a written reason."
                }
            )
        _record_gate_override(actor=actor, worker=worker, reason=override_reason)
    changed = ["status"] + (["start_date"] if worker.start_date is None else [])
    worker.status = WorkerStatus.ACTIVE
    if worker.start_date is None:
        worker.start_date = timezone.localdate()
    worker.full_clean()
    worker.save()
    check_ins_schedule(worker=worker)
    send_worker_changed_on_commit(
        worker_id=worker.id,
        source="workers.Worker",
        changes=[ResourceChange.of(worker, "updated", changed, event="worker.activated")],
    )
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
    done_on = done_on or check_in.done_on or timezone.localdate()
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
    if check_in.worker.start_date and done_on < check_in.worker.start_date:
        raise ValidationError({"done_on": "A check-in cannot happen before the worker's start date."})
    data = {
        "done_on": done_on,
        "engagement": engagement,
        "role_clarity": role_clarity,
        "manager_relationship": manager_relationship,
        "notes": notes,
    }
    if actor.user is not None:
        data["manager"] = actor.user
    # Recording the same ratings again is silent (nothing saved, audited or announced).
    check_in, changed = model_update(instance=check_in, fields=CHECK_IN_RECORD_FIELDS, data=data)
    if not changed:
        return check_in
    send_worker_changed_on_commit(
        worker_id=check_in.worker_id,
        source="workers.CheckIn",
        changes=[ResourceChange.of(check_in, "updated", changed)],
    )
    return check_in


@transaction.atomic
def check_in_create(*, actor: Actor, worker: Worker, due_on: date, notes: str = "", **ignored) -> CheckIn:
    """An ad-hoc check-in (the milestones are scheduled automatically from the start date)."""
    if actor.is_provider:
        raise ValidationError("Check-ins are held by the client's directing managers.")
    check_in = CheckIn(worker=worker, kind=CheckInKind.AD_HOC, due_on=due_on, notes=notes)
    check_in.full_clean()
    check_in.save()
    send_worker_changed_on_commit(
        worker_id=worker.id, source="workers.CheckIn", changes=[ResourceChange.of(check_in, "created")]
    )
    return check_in


# --- bulk upsert by external_id (DESIGN §8) ------------------------------------------------------
WORKER_BULK_FIELDS = (*[f for f in EDITABLE_FIELDS if f != "external_id"], "provider", "client")


def _parse_ids(values) -> dict:
    ids = {}
    for value in values:
        try:
            ids[str(value)] = uuid.UUID(str(value))
        except (TypeError, ValueError, AttributeError):
            continue
    return ids


class _WorkerBulkSpec(BulkSpec):
    """Workers for `bulk_upsert`: the rows and rules of `worker_create` / `worker_update`."""

    model = Worker
    fields = WORKER_BULK_FIELDS
    required_on_create = ("first_name", "last_name", "work_email", "country")

    def __init__(self, actor: Actor):
        self.actor = actor
        self.ambiguous: set[str] = set()

    def existing(self, external_ids):
        found: dict[str, Worker] = {}
        rows = (
            Worker.objects.filter(self.actor.worker_scope(), external_id__in=external_ids)
            .select_related("provider", "client")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        for worker in rows:
            # External ids are unique per provider; a client with two providers may see one twice.
            if worker.external_id in found:
                self.ambiguous.add(worker.external_id)
            found[worker.external_id] = worker
        return found

    def normalize(self, data):
        for name in ("country", "subdivision"):
            if isinstance(data.get(name), str):
                data[name] = data[name].upper()
        return data

    def resolve(self, items):
        wanted = {"provider": set(), "client": set()}
        for item in items:
            for name in wanted:
                if item.data.get(name) not in (None, ""):
                    wanted[name].add(item.data[name])
        provider_ids = _parse_ids(wanted["provider"])
        client_ids = _parse_ids(wanted["client"])
        providers = {p.pk: p for p in Provider.objects.filter(pk__in=provider_ids.values())}
        clients = {
            o.pk: o for o in Organization.objects.filter(pk__in=client_ids.values(), kind=OrganizationKind.CLIENT)
        }
        for item in items:
            if item.external_id in self.ambiguous:
                item.fail({"external_id": ["Two of your workers (of different providers) have this external id."]})
                continue
            worker = item.instance
            for name, ids, known in (("provider", provider_ids, providers), ("client", client_ids, clients)):
                if name not in item.data or item.data[name] in (None, ""):
                    if worker is None:
                        item.data.pop(name, None)
                    else:
                        item.data[name] = getattr(worker, name)
                    continue
                obj = known.get(ids.get(str(item.data[name])))
                if obj is None:
                    item.fail({name: [f"Unknown {name} “{item.data[name]}”."]})
                elif worker is not None and obj.pk != getattr(worker, f"{name}_id"):
                    item.fail({name: [f"A worker's {name} cannot change through an update."]})
                else:
                    item.data[name] = obj
            if worker is None and item.ok:
                # As worker_create: the acting organization is always one of the two parties.
                try:
                    provider, client = _resolve_parties(
                        actor=self.actor, provider=item.data.get("provider"), client=item.data.get("client")
                    )
                except ValidationError as error:
                    item.fail(error)
                    continue
                item.data["provider"], item.data["client"] = provider, client

    def new_instance(self, item):
        return Worker(external_id=item.external_id, status=WorkerStatus.ONBOARDING)

    def validate(self, instance, item):
        _check_subdivision(instance)

    def validate_chunk(self, items):
        creates = [item for item in items if item.action == "create"]
        if not creates:
            return
        taken = set(
            Worker.objects.filter(
                provider_id__in={item.instance.provider_id for item in creates},
                external_id__in={item.external_id for item in creates},
            ).values_list("provider_id", "external_id")
        )
        for item in creates:
            if (item.instance.provider_id, item.external_id) in taken:
                item.fail({"external_id": ["This provider already has another worker with this external id."]})

    def after_write(self, created, updated):
        moved = [item.instance for item in updated if "start_date" in item.changes]
        check_ins_schedule_many(workers=[*created, *moved])
        send_workers_changed_on_commit(
            worker_ids=[w.pk for w in created] + [item.instance.pk for item in updated],
            source="workers.Worker",
            changes=[ResourceChange.of(w, "created") for w in created]
            + [ResourceChange.of(item.instance, "updated", item.changes) for item in updated],
        )


def _worker_integrity_message(error) -> dict:
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or str(error)
    if "unique_external_id" in constraint:
        return {"external_id": ["Another worker of this provider was given this external id a moment ago."]}
    return {"item": ["Conflicts with a change saved at the same moment; send it again."]}


@transaction.atomic
def workers_upsert(*, actor: Actor, items: list[dict], atomic: bool = False) -> tuple[list[dict], bool]:
    """Create or update up to 1,000 workers by `external_id` with the rules of `worker_create` and
    `worker_update`; a per-item result (create / update / unchanged / error). Returns the results
    and whether they were applied (not when `atomic` and any item is bad)."""
    results, applied = bulk_upsert(
        spec=_WorkerBulkSpec(actor),
        items=items,
        atomic=atomic,
        etag_for=etag_for,
        integrity_message=_worker_integrity_message,
    )
    if not applied:
        transaction.set_rollback(True)
    return results, applied


@transaction.atomic
def check_ins_schedule_many(*, workers: list[Worker]) -> None:
    """`check_ins_schedule` for many workers in a constant number of queries."""
    workers = [w for w in workers if w.start_date is not None]
    if not workers:
        return
    existing = {
        (c.worker_id, c.kind): c
        for c in CheckIn.objects.select_for_update()
        .filter(worker_id__in=[w.pk for w in workers])
        .exclude(kind=CheckInKind.AD_HOC)
        .order_by("pk")
    }
    creates, moves = [], []
    for worker in workers:
        for kind, days in CHECKIN_DAY_OFFSETS.items():
            due_on = worker.start_date + timedelta(days=days)
            check_in = existing.get((worker.pk, kind))
            if check_in is None:
                creates.append(CheckIn(worker=worker, kind=kind, due_on=due_on))
            elif check_in.done_on is None and check_in.due_on != due_on:
                check_in.due_on = due_on
                check_in.updated_at = timezone.now()
                moves.append(check_in)
    CheckIn.objects.bulk_create(creates)
    CheckIn.objects.bulk_update(moves, ["due_on", "updated_at"])
