"""Receivers of lower apps' signals (registered in RisksConfig.ready)."""

import logging

from .services.rescans import rescans_claim, rescans_defer, rescans_record, rescans_release
from .tasks import risk_scan_worker_task, risk_scan_workers_task

logger = logging.getLogger(__name__)

RESCAN_CHUNK = 500


def record_pending_rescans(sender, worker_ids=(), source="", **kwargs) -> None:
    """Inside the change's transaction: the re-evaluation it owes is written to PostgreSQL with it,
    so neither a broker outage nor a process dying after the commit can lose it."""
    rescans_record(worker_ids=worker_ids, source=source)


def _enqueue(task, worker_ids: list[str], args) -> None:
    try:
        task.delay(args)
    except Exception:  # the broker is down: the rows wait in PostgreSQL for the beat drain
        rescans_release(worker_ids=worker_ids)
        logger.warning("Could not enqueue the risk re-evaluation of %d worker(s); the drain will", len(worker_ids))


def rescan_worker_on_change(sender, worker_id=None, source="", **kwargs) -> None:
    """A worker-related row changed and committed: re-evaluate that worker soon. Several changes in
    a burst (a contract, then its assignment) enqueue one task, not one each (the debounce state is
    the PendingRescan row). Never raises: the change has committed, and its caller must see success."""
    if worker_id is None or rescans_defer(worker_ids=[worker_id]):
        return
    try:
        claimed = rescans_claim(worker_ids=[worker_id])
    except Exception:  # the database went away after the commit: the nightly scan covers it
        logger.exception("Could not claim the risk re-evaluation of worker %s", worker_id)
        return
    if claimed:
        _enqueue(risk_scan_worker_task, claimed, claimed[0])


def rescan_workers_on_bulk_change(sender, worker_ids=(), source="", **kwargs) -> None:
    """Many workers changed in one commit (an import, a payroll run): re-evaluate them set-based,
    a task per chunk of 500 rather than one per worker."""
    if rescans_defer(worker_ids=worker_ids):
        return
    try:
        claimed = rescans_claim(worker_ids=worker_ids)
    except Exception:
        logger.exception("Could not claim the risk re-evaluation of %d workers", len(worker_ids))
        return
    for start in range(0, len(claimed), RESCAN_CHUNK):
        chunk = claimed[start : start + RESCAN_CHUNK]
        _enqueue(risk_scan_workers_task, chunk, chunk)
