from celery import shared_task

from . import services


@shared_task
def worker_exits_apply_task() -> int:
    """Daily (beat): offboard the workers whose scheduled exit day has come."""
    return len(services.worker_exits_apply())
