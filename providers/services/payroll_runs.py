"""Payroll runs: provider × country × period, and their status derived from the entries."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.actors import Actor
from outstaff.model_update import model_update
from outstaff.signals import ResourceChange

from ..choices import PayrollEntryStatus, PayrollRunStatus
from ..models import PayrollEntry, PayrollRun
from ..selectors import WORKER_ACTIVE, worker_model
from .base import _own, _provider_of, notify_workers_changed


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
    notify_workers_changed(
        [e.worker_id for e in entries],
        "providers.PayrollEntry",
        changes=[ResourceChange.of(e, "created") for e in entries],
    )
    return run


@transaction.atomic
def payroll_run_update(*, actor: Actor, instance: PayrollRun, **data) -> PayrollRun:
    _own(actor, instance)
    run = PayrollRun.objects.select_for_update().get(pk=instance.pk)
    run, _changed = model_update(instance=run, fields=("pay_date", "external_id"), data=data)
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
