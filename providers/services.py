"""Writes of the provider side. Every function is atomic, takes keyword arguments only, validates
(full_clean, or the set-based checks of `providers.bulk` for many rows) and tells the higher apps
about changed workers with `send_worker_changed_on_commit`.

Providers write their own profile, legal entities, contracts, payroll and compliance; clients only
read (their role has no write family for these, and every service re-checks the organization)."""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor
from outstaff.signals import send_worker_changed_on_commit, send_workers_changed_on_commit

from . import bulk
from .choices import ComplianceStatus, EngagementModel, PayrollEntryStatus, PayrollRunStatus
from .compliance_requirements import staffing_licence_required
from .models import ComplianceItem, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider
from .payroll_rules import payroll_status_effects, payroll_transition_errors
from .selectors import WORKER_ACTIVE, compliance_items_expiring, provider_admin_emails, worker_model

BULK_LIMIT = 1000


class StaleEdit(ValidationError):
    """The row changed since the form was loaded; the user must reload rather than overwrite."""


def _provider_of(actor: Actor) -> Provider:
    if not actor.is_provider:
        raise PermissionDenied("Only the provider that employs the worker can change this.")
    return Provider.objects.get(organization_id=actor.organization.id)


def _own(actor: Actor, instance) -> None:
    if instance.provider_id != actor.organization.id:
        raise PermissionDenied("This belongs to another provider.")


def _check_version(instance, expected_updated_at) -> None:
    """A form carries the row's updated_at from when it was loaded; a different value now means
    someone else saved in between, so the save is refused instead of silently overwriting."""
    if expected_updated_at is None:
        return
    if isinstance(expected_updated_at, str):
        expected_updated_at = dt.datetime.fromisoformat(expected_updated_at)
    if instance.updated_at != expected_updated_at:
        raise StaleEdit(
            "Someone else changed this since you opened it. Reload the page to see their change, then try again."
        )


def notify_workers_changed(worker_ids, source: str) -> None:
    """One announcement for the whole change: a 10,000-row import must not become 10,000 tasks."""
    ids = {uuid.UUID(str(w)) for w in worker_ids if w}
    if len(ids) == 1:
        send_worker_changed_on_commit(worker_id=ids.pop(), source=source)
    else:
        send_workers_changed_on_commit(worker_ids=ids, source=source)


def _setattrs(instance, data: dict, fields) -> None:
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])


# --- provider profile and legal entities -----------------------------------------------------------
@transaction.atomic
def provider_update(*, actor: Actor, instance: Provider, **data) -> Provider:
    if instance.organization_id != actor.organization.id:
        raise PermissionDenied("You can only change your own provider profile.")
    provider = Provider.objects.select_for_update().get(pk=instance.pk)
    _setattrs(provider, data, ("legal_name", "website", "headquarters_country"))
    provider.headquarters_country = (provider.headquarters_country or "").upper()
    provider.full_clean()
    provider.save()
    return provider


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
    entity.full_clean()


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
    entity.save()
    return entity


ENTITY_FIELDS = (
    "country",
    "name",
    "registration_number",
    "staffing_licence_number",
    "staffing_licence_expires_on",
    "is_active",
)


@transaction.atomic
def legal_entity_update(*, actor: Actor, instance: LegalEntity, **data) -> LegalEntity:
    _own(actor, instance)
    entity = LegalEntity.objects.select_for_update().get(pk=instance.pk)
    _setattrs(
        entity,
        data,
        (
            "country",
            "name",
            "registration_number",
            "staffing_licence_number",
            "staffing_licence_expires_on",
            "is_active",
        ),
    )
    _validate_entity(entity)
    entity.save()
    # Workers under this entity are judged on its licence and country (risk engine).
    notify_workers_changed(entity.contracts.values_list("worker_id", flat=True), "providers.LegalEntity")
    return entity


# --- employment contracts --------------------------------------------------------------------------
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
    contract.full_clean()


@transaction.atomic
def contract_create(*, actor: Actor, **data) -> EmploymentContract:
    provider = _provider_of(actor)
    contract = EmploymentContract(provider=provider)
    data.setdefault("engagement_model", "")
    _setattrs(contract, data, CONTRACT_FIELDS)
    _validate_contract(contract)
    contract.save()
    notify_workers_changed([contract.worker_id], "providers.EmploymentContract")
    return contract


@transaction.atomic
def contract_update(*, actor: Actor, instance: EmploymentContract, **data) -> EmploymentContract:
    _own(actor, instance)
    contract = EmploymentContract.objects.select_for_update().get(pk=instance.pk)
    old_worker = contract.worker_id
    _setattrs(contract, data, CONTRACT_FIELDS)
    _validate_contract(contract)
    contract.save()
    notify_workers_changed({old_worker, contract.worker_id}, "providers.EmploymentContract")
    return contract


# --- payroll ---------------------------------------------------------------------------------------
@transaction.atomic
def payroll_run_create(
    *,
    actor: Actor,
    country: str,
    period_start: dt.date,
    period_end: dt.date,
    pay_date: dt.date | None = None,
    external_id: str = "",
    **ignored,
) -> PayrollRun:
    """A run for one country and period, with a scheduled entry for each active worker the
    provider employs in that country who has started by the end of the period."""
    provider = _provider_of(actor)
    run = PayrollRun(
        provider=provider,
        country=(country or "").upper(),
        period_start=period_start,
        period_end=period_end,
        pay_date=pay_date or period_end,
        external_id=external_id,
    )
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": "The period cannot end before it starts."})
    run.full_clean()
    run.save()
    workers = (
        worker_model()
        .objects.filter(provider_id=provider.pk, country=run.country, status=WORKER_ACTIVE)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=run.period_end))
        .values_list("id", flat=True)
    )
    entries = [PayrollEntry(run=run, provider=provider, worker_id=worker_id) for worker_id in workers]
    PayrollEntry.objects.bulk_create(entries, batch_size=1000)
    notify_workers_changed([e.worker_id for e in entries], "providers.PayrollEntry")
    return run


@transaction.atomic
def payroll_run_update(*, actor: Actor, instance: PayrollRun, **data) -> PayrollRun:
    _own(actor, instance)
    run = PayrollRun.objects.select_for_update().get(pk=instance.pk)
    _setattrs(run, data, ("pay_date", "external_id"))
    run.full_clean()
    run.save()
    return run


def payroll_runs_refresh_status(*, run_ids) -> None:
    """A run is completed when every entry is paid or failed, processing once any entry moved."""
    runs = PayrollRun.objects.filter(id__in=list(run_ids)).annotate(
        total=Count("entries"),
        settled=Count("entries", filter=Q(entries__status__in=[PayrollEntryStatus.PAID, PayrollEntryStatus.FAILED])),
        moved=Count("entries", filter=~Q(entries__status=PayrollEntryStatus.SCHEDULED)),
    )
    for run in runs:
        status = PayrollRunStatus.DRAFT
        if run.total and run.settled == run.total:
            status = PayrollRunStatus.COMPLETED
        elif run.moved:
            status = PayrollRunStatus.PROCESSING
        if status != run.status:
            PayrollRun.objects.filter(pk=run.pk).update(status=status, updated_at=timezone.now())


@transaction.atomic
def payroll_entry_create(
    *,
    actor: Actor,
    run: PayrollRun,
    worker,
    status: str = PayrollEntryStatus.SCHEDULED,
    failure_reason: str = "",
    reason: str = "",
    paid_at: dt.datetime | None = None,
    gross_amount=None,
    currency: str = "",
    external_id: str = "",
    **ignored,
) -> PayrollEntry:
    provider = _provider_of(actor)
    _own(actor, run)
    if worker.provider_id != provider.pk:
        raise ValidationError({"worker": "This worker is not employed by you."})
    if worker.country != run.country:
        raise ValidationError({"worker": f"The worker is employed in {worker.country}; this run is for {run.country}."})
    errors = payroll_transition_errors(old=None, new=status, failure_reason=failure_reason, reason=reason)
    if errors:
        raise ValidationError(errors)
    values = {"status": status, "failure_reason": "", "status_reason": "", "paid_at": None}
    payroll_status_effects(values, None, failure_reason, reason, paid_at, timezone.now(), True)
    entry = PayrollEntry(
        run=run,
        provider=provider,
        worker=worker,
        external_id=external_id,
        gross_amount=gross_amount,
        currency=(currency or "").upper(),
        **values,
    )
    entry.full_clean()
    entry.save()
    payroll_runs_refresh_status(run_ids=[run.id])
    notify_workers_changed([entry.worker_id], "providers.PayrollEntry")
    return entry


@transaction.atomic
def payroll_entry_update(
    *, actor: Actor, instance: PayrollEntry, expected_updated_at=None, reason: str = "", **data
) -> PayrollEntry:
    """Change one entry: its status (with the rules of `payroll_rules`), amount or external id."""
    _own(actor, instance)
    entry = PayrollEntry.objects.select_for_update().get(pk=instance.pk)
    _check_version(entry, expected_updated_at)
    old_status = entry.status
    new_status = data.get("status") or old_status
    failure_reason = (data.get("failure_reason") or "").strip()
    if new_status == PayrollEntryStatus.FAILED and not failure_reason and new_status == old_status:
        failure_reason = entry.failure_reason
    errors = payroll_transition_errors(old=old_status, new=new_status, failure_reason=failure_reason, reason=reason)
    if errors:
        raise ValidationError(errors)
    values = {
        "status": new_status,
        "failure_reason": entry.failure_reason,
        "status_reason": entry.status_reason,
        "paid_at": entry.paid_at,
    }
    payroll_status_effects(values, old_status, failure_reason, reason, data.get("paid_at"), timezone.now(), False)
    _setattrs(entry, values, values)
    _setattrs(entry, data, ("gross_amount", "external_id"))
    if "currency" in data:
        entry.currency = (data["currency"] or "").upper()
    entry.full_clean()
    entry.save()
    payroll_runs_refresh_status(run_ids=[entry.run_id])
    notify_workers_changed([entry.worker_id], "providers.PayrollEntry")
    return entry


@transaction.atomic
def payroll_entries_set_status(
    *,
    actor: Actor,
    entry_ids,
    status: str,
    failure_reason: str = "",
    reason: str = "",
    expected_versions: dict | None = None,
) -> int:
    """Move many selected entries to one status (paid / failed with a reason / on hold...). All
    or nothing: if one entry may not move (a backwards move without a reason), none moves.
    `expected_versions` maps entry ids to the updated_at the page showed; if any selected entry
    changed since, nothing moves (a bulk "paid" must not silently overwrite a failure just recorded)."""
    provider = _provider_of(actor)
    entries = list(
        PayrollEntry.objects.select_for_update(of=("self",))
        .filter(provider_id=provider.pk, id__in=list(entry_ids))
        .order_by("pk")
    )
    if len(entries) != len(set(map(str, entry_ids))):
        raise ValidationError({"entries": "Some selected entries do not exist or are not yours."})
    if status not in PayrollEntryStatus.values:
        raise ValidationError({"status": "Choose a valid status."})
    expected = {str(key): value for key, value in (expected_versions or {}).items() if value is not None}
    stale = [entry for entry in entries if str(entry.pk) in expected and entry.updated_at != expected[str(entry.pk)]]
    if stale:
        raise StaleEdit(
            f"{len(stale)} of the selected entries changed since you opened the page, so nothing was changed. "
            "Reload the page to see the changes, then try again."
        )
    now = timezone.now()
    changed = []
    for entry in entries:
        if entry.status == status and not (status == PayrollEntryStatus.FAILED and failure_reason):
            continue
        errors = payroll_transition_errors(old=entry.status, new=status, failure_reason=failure_reason, reason=reason)
        if errors:
            raise ValidationError(errors)
        values = {
            "status": status,
            "failure_reason": entry.failure_reason,
            "status_reason": entry.status_reason,
            "paid_at": entry.paid_at,
        }
        payroll_status_effects(values, entry.status, failure_reason, reason, None, now, False)
        _setattrs(entry, values, values)
        entry.updated_at = now
        changed.append(entry)
    PayrollEntry.objects.bulk_update(
        changed, ["status", "failure_reason", "status_reason", "paid_at", "updated_at"], batch_size=1000
    )
    payroll_runs_refresh_status(run_ids={e.run_id for e in entries})
    notify_workers_changed([e.worker_id for e in changed], "providers.PayrollEntry")
    return len(changed)


def _changed_workers(plan: bulk.Plan) -> list:
    return [r.worker_id for r in plan.results if r.action in ("create", "update")]


def _bulk_results(plan: bulk.Plan) -> list[dict]:
    return [result.as_dict() for result in plan.results]


@transaction.atomic
def payroll_entries_upsert(*, actor: Actor, items: list[dict]) -> list[dict]:
    """Bulk upsert for a payroll system (DESIGN §8): good items are applied, bad ones reported
    per item and left untouched."""
    provider = _provider_of(actor)
    if len(items) > BULK_LIMIT:
        raise ValidationError({"items": f"Send at most {BULK_LIMIT} items per call."})
    bulk.reject_unknown_fields(items, bulk.PAYROLL_ENTRY_FIELDS)
    plan = bulk.plan_payroll_entries(provider_id=provider.pk, rows=items, lock=True)
    bulk.apply_plan(plan, PayrollEntry)
    payroll_runs_refresh_status(run_ids={e.run_id for e in plan.creates + plan.updates})
    notify_workers_changed(
        [r.worker_id for r in plan.results if r.action in ("create", "update")], "providers.PayrollEntry"
    )
    return _bulk_results(plan)


# --- compliance ------------------------------------------------------------------------------------
def _compliance_values(item: ComplianceItem, data: dict, actor: Actor) -> None:
    old_status = None if item._state.adding else item.status
    _setattrs(item, data, ("status", "expires_on", "evidence_reference", "notes", "external_id"))
    values = {
        "status": item.status,
        "expires_on": item.expires_on,
        "verified_by_id": item.verified_by_id,
        "verified_at": item.verified_at,
    }
    bulk.compliance_status_effects(
        values,
        old_status=old_status,
        today=timezone.localdate(),
        now=timezone.now(),
        verified_by_id=actor.user.pk if actor.user else None,
    )
    _setattrs(item, values, values)


@transaction.atomic
def compliance_item_create(*, actor: Actor, worker, kind: str, **data) -> ComplianceItem:
    provider = _provider_of(actor)
    if worker.provider_id != provider.pk:
        raise ValidationError({"worker": "This worker is not employed by you."})
    if ComplianceItem.objects.filter(worker=worker, kind=kind).exists():
        raise ValidationError({"kind": "This worker already has an item of this kind; update it instead."})
    item = ComplianceItem(provider=provider, worker=worker, kind=kind)
    _compliance_values(item, data, actor)
    item.full_clean()
    item.save()
    notify_workers_changed([item.worker_id], "providers.ComplianceItem")
    return item


@transaction.atomic
def compliance_item_update(
    *, actor: Actor, instance: ComplianceItem, expected_updated_at=None, **data
) -> ComplianceItem:
    _own(actor, instance)
    item = ComplianceItem.objects.select_for_update().get(pk=instance.pk)
    _check_version(item, expected_updated_at)
    data.pop("kind", None)
    data.pop("worker", None)
    _compliance_values(item, data, actor)
    item.full_clean()
    item.save()
    notify_workers_changed([item.worker_id], "providers.ComplianceItem")
    return item


@transaction.atomic
def compliance_items_upsert(*, actor: Actor, items: list[dict]) -> list[dict]:
    provider = _provider_of(actor)
    if len(items) > BULK_LIMIT:
        raise ValidationError({"items": f"Send at most {BULK_LIMIT} items per call."})
    bulk.reject_unknown_fields(items, bulk.COMPLIANCE_ITEM_FIELDS)
    plan = bulk.plan_compliance_items(
        provider_id=provider.pk, rows=items, lock=True, verified_by_id=actor.user.pk if actor.user else None
    )
    bulk.apply_plan(plan, ComplianceItem)
    notify_workers_changed(
        [r.worker_id for r in plan.results if r.action in ("create", "update")], "providers.ComplianceItem"
    )
    return _bulk_results(plan)


@transaction.atomic
def compliance_items_expire(*, today: dt.date | None = None) -> int:
    """Flip every item past its expiry date to `expired` (daily, from beat). Idempotent."""
    today = today or timezone.localdate()
    items = list(
        ComplianceItem.objects.select_for_update()
        .filter(expires_on__lt=today)
        .exclude(status__in=[ComplianceStatus.EXPIRED, ComplianceStatus.MISSING])
        .order_by("pk")
        .values_list("pk", "worker_id")
    )
    if not items:
        return 0
    ComplianceItem.objects.filter(pk__in=[pk for pk, _ in items]).update(
        status=ComplianceStatus.EXPIRED, updated_at=timezone.now()
    )
    notify_workers_changed([worker_id for _, worker_id in items], "providers.ComplianceItem")
    return len(items)


def compliance_digest_send(*, provider_id, today: dt.date | None = None) -> bool:
    """E-mail a provider's admins and compliance officers the items expiring within 30 days and
    the items that expired. Returns whether a message was sent (nothing to say → no e-mail)."""
    today = today or timezone.localdate()
    provider = Provider.objects.select_related("organization").get(pk=provider_id)
    actor = Actor(organization=provider.organization)
    expiring = list(compliance_items_expiring(actor=actor, today=today).select_related("worker"))
    expired = list(
        ComplianceItem.objects.filter(provider_id=provider_id, status=ComplianceStatus.EXPIRED)
        .select_related("worker")
        .order_by("expires_on", "id")[:200]
    )
    recipients = provider_admin_emails(provider_id=provider_id)
    if not recipients or not (expiring or expired):
        return False
    context = {
        "provider": provider,
        "expiring": expiring,
        "expired": expired,
        "today": today,
        "compliance_url": settings.SITE_URL + reverse("providers:compliance"),
    }
    send_mail(
        subject=f"Compliance digest: {len(expiring)} expiring, {len(expired)} expired",
        message=render_to_string("providers/email/compliance_digest.txt", context),
        from_email=None,
        recipient_list=recipients,
    )
    return True
