"""Cross-app signals. Lower apps send them (after commit); higher apps (risks, integrations) register
receivers in AppConfig.ready() that call their services, so no lower app imports a higher one
(DESIGN §3)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal


@dataclass(frozen=True)
class ResourceChange:
    """What changed, for the webhook events that carry the change (docs/webhooks.md): the changed
    row (`source` is its model label, e.g. "providers.PayrollEntry"), the kind of change, the
    names of the fields that changed, and optionally a lifecycle event it also is (e.g.
    "worker.activated", "risk_flag.resolved")."""

    source: str
    object_id: str
    change: str  # "created" | "updated"
    changed_fields: tuple[str, ...] = ()
    event: str = ""

    @classmethod
    def of(cls, instance, change: str, changed_fields: Iterable[str] = (), event: str = "") -> "ResourceChange":
        return cls(
            source=instance._meta.label,
            object_id=str(instance.pk),
            change=change,
            changed_fields=tuple(changed_fields),
            event=event,
        )


# Sent with `worker_id` and `source` (the changed model's label, e.g. "providers.PayrollEntry")
# after a change to a worker or a row about them commits: contract, assignment, payroll entry,
# compliance item, check-in, screening decision.
worker_changed = Signal()

# The same for a bulk change (a CSV import, a payroll run, a bulk upsert): `worker_ids` and
# `source`, sent once, so receivers can react set-based instead of once per worker.
workers_changed = Signal()

# Sent synchronously, INSIDE the caller's transaction, by both helpers below (before they register
# their on-commit announcements), with `worker_ids`, `source` and `changes` (ResourceChange, may be
# empty for callers that do not say what changed). For receivers that must write in the same
# transaction as the change (the webhook outbox): a rollback discards what they wrote.
worker_change_recorded = Signal()

# Sent synchronously, inside the transaction, with `changes` (ResourceChange) for rows whose change
# must reach the outbox but must not re-evaluate the worker (risk flags: a scan writes them).
resource_change_recorded = Signal()


def send_worker_changed_on_commit(*, worker_id, source: str, changes: Iterable[ResourceChange] = ()) -> None:
    worker_change_recorded.send(sender=source, worker_ids=[str(worker_id)], source=source, changes=list(changes))
    transaction.on_commit(lambda: worker_changed.send(sender=source, worker_id=worker_id, source=source))


def send_workers_changed_on_commit(*, worker_ids, source: str, changes: Iterable[ResourceChange] = ()) -> None:
    """Announce many changed workers at once; a single worker goes out as `worker_changed`."""
    ids = sorted({str(worker_id) for worker_id in worker_ids if worker_id})
    if len(ids) == 1:
        send_worker_changed_on_commit(worker_id=ids[0], source=source, changes=changes)
    elif ids:
        worker_change_recorded.send(sender=source, worker_ids=ids, source=source, changes=list(changes))
        transaction.on_commit(lambda: workers_changed.send(sender=source, worker_ids=ids, source=source))


def record_resource_changes(*, changes: Iterable[ResourceChange]) -> None:
    """Tell the outbox, inside the caller's transaction, about rows that changed without a worker
    re-evaluation (e.g. the flags a risk scan opened or resolved)."""
    changes = list(changes)
    if changes:
        resource_change_recorded.send(sender=changes[0].source, changes=changes)
