"""Receivers of lower apps' signals (registered in RisksConfig.ready)."""

import logging

from django.core.cache import cache

from .tasks import RESCAN_DEBOUNCE_SECONDS, rescan_debounce_key, risk_scan_worker_task, risk_scan_workers_task

logger = logging.getLogger(__name__)


def rescan_worker_on_change(sender, worker_id=None, source="", **kwargs) -> None:
    """A worker-related row changed and committed: re-evaluate that worker soon. Several changes in
    a burst (a contract, then its assignment) enqueue one task, not one each; the nightly full scan
    catches anything a lost message misses, so a broker outage must not break the change itself."""
    if worker_id is None:
        return
    key = rescan_debounce_key(worker_id)
    if not cache.add(key, source or "change", timeout=RESCAN_DEBOUNCE_SECONDS):
        return
    try:
        risk_scan_worker_task.delay(str(worker_id))
    except Exception:  # the broker is down: the nightly scan will see the change
        cache.delete(key)
        logger.exception("Could not enqueue the risk re-evaluation of worker %s", worker_id)


RESCAN_CHUNK = 500


def rescan_workers_on_bulk_change(sender, worker_ids=(), source="", **kwargs) -> None:
    """Many workers changed in one commit (an import, a payroll run): re-evaluate them set-based,
    a task per chunk of 500 rather than one per worker."""
    ids = sorted({str(worker_id) for worker_id in worker_ids})
    for start in range(0, len(ids), RESCAN_CHUNK):
        chunk = ids[start : start + RESCAN_CHUNK]
        try:
            risk_scan_workers_task.delay(chunk)
        except Exception:  # the broker is down: the nightly scan will see the change
            logger.exception("Could not enqueue the risk re-evaluation of %d workers", len(chunk))
