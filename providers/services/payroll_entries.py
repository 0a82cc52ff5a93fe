"""Payroll entries (run × worker): single edits, the page's bulk status change and the API's bulk
upsert. Status moves follow `providers.payroll_rules` on every path."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from outstaff.model_update import model_save_changed, model_set
from outstaff.signals import ResourceChange

from .. import bulk
from ..choices import PayrollEntryStatus
from ..models import PayrollEntry, PayrollRun
from ..payroll_rules import payroll_status_effects, payroll_transition_errors
from .base import (
    StaleEdit,
    _bulk_items,
    _bulk_results,
    _check_bulk_size,
    _check_version,
    _own,
    _provider_of,
    notify_workers_changed,
    plan_changes,
)
from .payroll_runs import payroll_runs_refresh_status

STATUS_FIELDS = ("status", "failure_reason", "status_reason", "paid_at")


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
    notify_workers_changed([entry.worker_id], "providers.PayrollEntry", changes=[ResourceChange.of(entry, "created")])
    return entry


@transaction.atomic
def payroll_entry_update(
    *, actor: Actor, instance: PayrollEntry, expected_updated_at=None, reason: str = "", **data
) -> PayrollEntry:
    """Change one entry: its status (with the rules of `payroll_rules`), amount or external id.
    Values equal to the stored ones change nothing (no save, no event)."""
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
    values = {name: getattr(entry, name) for name in STATUS_FIELDS}
    values["status"] = new_status
    payroll_status_effects(values, old_status, failure_reason, reason, data.get("paid_at"), timezone.now(), False)
    if "currency" in data:
        data["currency"] = (data["currency"] or "").upper()
    changed = model_set(instance=entry, fields=STATUS_FIELDS, data=values)
    changed += model_set(instance=entry, fields=("gross_amount", "external_id", "currency"), data=data)
    entry, changed = model_save_changed(instance=entry, changed=changed)
    if changed:
        payroll_runs_refresh_status(run_ids=[entry.run_id])
        notify_workers_changed(
            [entry.worker_id], "providers.PayrollEntry", changes=[ResourceChange.of(entry, "updated", changed)]
        )
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
    changed, changed_fields = [], {}
    for entry in entries:
        if entry.status == status and not (status == PayrollEntryStatus.FAILED and failure_reason):
            continue
        errors = payroll_transition_errors(old=entry.status, new=status, failure_reason=failure_reason, reason=reason)
        if errors:
            raise ValidationError(errors)
        values = {name: getattr(entry, name) for name in STATUS_FIELDS}
        values["status"] = status
        payroll_status_effects(values, entry.status, failure_reason, reason, None, now, False)
        fields = model_set(instance=entry, fields=STATUS_FIELDS, data=values)
        if fields:
            entry.updated_at = now
            changed.append(entry)
            changed_fields[entry.pk] = fields
    PayrollEntry.objects.bulk_update(changed, [*STATUS_FIELDS, "updated_at"], batch_size=1000)
    payroll_runs_refresh_status(run_ids={e.run_id for e in entries})
    notify_workers_changed(
        [e.worker_id for e in changed],
        "providers.PayrollEntry",
        changes=[ResourceChange.of(e, "updated", changed_fields[e.pk]) for e in changed],
    )
    return len(changed)


@transaction.atomic
def payroll_entries_upsert(*, actor: Actor, items: list[dict], atomic: bool = False) -> tuple[list[dict], bool]:
    """Bulk upsert for a payroll system (DESIGN §8): good items are applied, bad ones reported
    per item and left untouched (`atomic`: all or nothing). Returns the per-item results and
    whether they were applied."""
    provider = _provider_of(actor)
    _check_bulk_size(items)
    rows, etags = _bulk_items(items, bulk.PAYROLL_ENTRY_FIELDS)
    plan = bulk.plan_payroll_entries(provider_id=provider.pk, rows=rows, lock=True)
    bulk.check_etags(plan, PayrollEntry, etags)
    if atomic and plan.error_count:
        return _bulk_results(plan), False
    bulk.apply_plan(plan, PayrollEntry)
    payroll_runs_refresh_status(run_ids={e.run_id for e in plan.creates + plan.updates})
    notify_workers_changed(
        [r.worker_id for r in plan.results if r.action in ("create", "update")],
        "providers.PayrollEntry",
        changes=plan_changes(plan, "providers.PayrollEntry"),
    )
    return _bulk_results(plan), True
