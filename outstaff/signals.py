"""Cross-app signals. Lower apps send them (after commit); higher apps (risks, integrations) register
receivers in AppConfig.ready() that call their services, so no lower app imports a higher one
(DESIGN §3)."""

from django.dispatch import Signal

# Sent with `worker_id` and `source` (the changed model's label, e.g. "providers.PayrollEntry")
# after a change to a worker or a row about them commits: contract, assignment, payroll entry,
# compliance item, check-in, screening decision.
worker_changed = Signal()


def send_worker_changed_on_commit(*, worker_id, source: str) -> None:
    from django.db import transaction

    transaction.on_commit(lambda: worker_changed.send(sender=source, worker_id=worker_id, source=source))
