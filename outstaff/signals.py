"""Cross-app signals. Lower apps send them (after commit); higher apps (risks, integrations) register
receivers in AppConfig.ready() that call their services, so no lower app imports a higher one
(DESIGN §3)."""

from django.db import transaction
from django.dispatch import Signal

# Sent with `worker_id` and `source` (the changed model's label, e.g. "providers.PayrollEntry")
# after a change to a worker or a row about them commits: contract, assignment, payroll entry,
# compliance item, check-in, screening decision.
worker_changed = Signal()

# The same for a bulk change (a CSV import, a payroll run, a bulk upsert): `worker_ids` and
# `source`, sent once, so receivers can react set-based instead of once per worker.
workers_changed = Signal()

# Sent synchronously, INSIDE the caller's transaction, by both helpers below (before they register
# their on-commit announcements), with `worker_ids` and `source`. For receivers that must write in
# the same transaction as the change (the webhook outbox): a rollback discards what they wrote.
worker_change_recorded = Signal()


def send_worker_changed_on_commit(*, worker_id, source: str) -> None:
    worker_change_recorded.send(sender=source, worker_ids=[str(worker_id)], source=source)
    transaction.on_commit(lambda: worker_changed.send(sender=source, worker_id=worker_id, source=source))


def send_workers_changed_on_commit(*, worker_ids, source: str) -> None:
    """Announce many changed workers at once; a single worker goes out as `worker_changed`."""
    ids = sorted({str(worker_id) for worker_id in worker_ids if worker_id})
    if len(ids) == 1:
        send_worker_changed_on_commit(worker_id=ids[0], source=source)
    elif ids:
        worker_change_recorded.send(sender=source, worker_ids=ids, source=source)
        transaction.on_commit(lambda: workers_changed.send(sender=source, worker_ids=ids, source=source))
