"""Compliance items (worker × kind): single edits, the API's bulk upsert and the daily expiry."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from outstaff.model_update import model_save_changed, model_set
from outstaff.signals import ResourceChange

from .. import bulk
from ..choices import ComplianceStatus
from ..models import ComplianceItem
from .base import (
    _bulk_items,
    _bulk_results,
    _check_bulk_size,
    _check_version,
    _own,
    _provider_of,
    notify_workers_changed,
    plan_changes,
)

COMPLIANCE_FIELDS = ("status", "expires_on", "evidence_reference", "notes", "external_id")
VERIFICATION_FIELDS = ("status", "expires_on", "verified_by_id", "verified_at")


def _compliance_values(item: ComplianceItem, data: dict, actor: Actor) -> list[str]:
    """Set the submitted values and their status effects (verification stamps, expiry) on `item`;
    return the fields that changed."""
    old_status = None if item._state.adding else item.status
    changed = model_set(instance=item, fields=COMPLIANCE_FIELDS, data=data)
    values = {name: getattr(item, name) for name in VERIFICATION_FIELDS}
    bulk.compliance_status_effects(
        values,
        old_status=old_status,
        today=timezone.localdate(),
        now=timezone.now(),
        verified_by_id=actor.user.pk if actor.user else None,
    )
    return changed + model_set(instance=item, fields=VERIFICATION_FIELDS, data=values)


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
    notify_workers_changed([item.worker_id], "providers.ComplianceItem", changes=[ResourceChange.of(item, "created")])
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
    item, changed = model_save_changed(instance=item, changed=_compliance_values(item, data, actor))
    if changed:
        notify_workers_changed(
            [item.worker_id], "providers.ComplianceItem", changes=[ResourceChange.of(item, "updated", changed)]
        )
    return item


@transaction.atomic
def compliance_items_upsert(*, actor: Actor, items: list[dict], atomic: bool = False) -> tuple[list[dict], bool]:
    """Bulk upsert of compliance items, as `payroll_entries_upsert`."""
    provider = _provider_of(actor)
    _check_bulk_size(items)
    rows, etags = _bulk_items(items, bulk.COMPLIANCE_ITEM_FIELDS)
    plan = bulk.plan_compliance_items(
        provider_id=provider.pk, rows=rows, lock=True, verified_by_id=actor.user.pk if actor.user else None
    )
    bulk.check_etags(plan, ComplianceItem, etags)
    if atomic and plan.error_count:
        return _bulk_results(plan), False
    bulk.apply_plan(plan, ComplianceItem)
    notify_workers_changed(
        [r.worker_id for r in plan.results if r.action in ("create", "update")],
        "providers.ComplianceItem",
        changes=plan_changes(plan, "providers.ComplianceItem"),
    )
    return _bulk_results(plan), True


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
    notify_workers_changed(
        [worker_id for _, worker_id in items],
        "providers.ComplianceItem",
        changes=[ResourceChange("providers.ComplianceItem", str(pk), "updated", ("status",)) for pk, _ in items],
    )
    return len(items)
