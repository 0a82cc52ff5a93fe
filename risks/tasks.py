"""Celery tasks: thin wrappers that take ids and call services (DESIGN §3)."""

from celery import shared_task
from django.db import OperationalError

from .services import ScanAlreadyRunning, risk_scan_run
from .services.digest import risk_digest_send
from .services.rescans import rescans_drain, rescans_take


@shared_task(
    name="risks.tasks.risk_scan_full_task",
    autoretry_for=(ScanAlreadyRunning, OperationalError),
    retry_backoff=60,
    retry_kwargs={"max_retries": 10},
)
def risk_scan_full_task() -> dict:
    """The nightly full scan (beat, 02:15). Retries while a worker re-evaluation holds the lock."""
    return risk_scan_run().as_dict()


@shared_task(
    name="risks.tasks.risk_scan_worker_task",
    autoretry_for=(ScanAlreadyRunning, OperationalError),
    retry_backoff=15,
    retry_kwargs={"max_retries": 20},
)
def risk_scan_worker_task(worker_id: str) -> dict:
    """Re-evaluate one worker after a change committed. Taking the pending row first means a
    change committed while this runs schedules another run instead of being lost. Idempotent, so a
    redelivery after a killed worker (acks_late) does no harm."""
    rescans_take(worker_ids=[worker_id])
    return risk_scan_run(worker_ids=[worker_id]).as_dict()


@shared_task(
    name="risks.tasks.risk_scan_workers_task",
    autoretry_for=(ScanAlreadyRunning, OperationalError),
    retry_backoff=15,
    retry_kwargs={"max_retries": 20},
)
def risk_scan_workers_task(worker_ids: list[str]) -> dict:
    """Re-evaluate a batch of workers after a bulk change committed, in one set-based scan."""
    rescans_take(worker_ids=worker_ids)
    return risk_scan_run(worker_ids=worker_ids).as_dict()


@shared_task(
    name="risks.tasks.risk_rescans_drain_task",
    autoretry_for=(ScanAlreadyRunning, OperationalError),
    retry_backoff=15,
    retry_kwargs={"max_retries": 3},
)
def risk_rescans_drain_task() -> int:
    """Beat, every minute: re-evaluate the workers whose task never came (the broker was down when
    their change committed, or the message was lost)."""
    return rescans_drain()


@shared_task(name="risks.tasks.risk_digest_daily_task")
def risk_digest_daily_task() -> dict:
    """The daily e-mail digest of new and escalated flags to hiring managers and provider admins."""
    return risk_digest_send()
