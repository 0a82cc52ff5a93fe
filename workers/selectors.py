"""Reads of workers, scoped by `Actor.worker_scope` (DESIGN §9)."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.actors import Actor

from .choices import WorkerStatus
from .models import CheckIn, Worker

# Most early leavers go within this many days of their start.
FIRST_DAYS = 90


def in_first_90_days_q(*, prefix: str = "", today: dt.date | None = None) -> Q:
    """Workers who started within the last 90 days (the start day is day 1); `prefix` reaches the
    worker from another model ("worker__")."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}start_date__gt": today - dt.timedelta(days=FIRST_DAYS), f"{prefix}start_date__lte": today})


def worker_list(*, actor: Actor) -> QuerySet[Worker]:
    """Erased workers (privacy app) have left the product: their tombstone says so."""
    return (
        Worker.objects.filter(actor.worker_scope(), erased_at__isnull=True)
        .select_related("provider", "client")
        .order_by("last_name", "first_name", "id")
    )


def worker_get(*, actor: Actor, worker_id) -> Worker:
    """The worker, or Worker.DoesNotExist when it is not the actor's (pages then 404)."""
    return worker_list(actor=actor).get(id=worker_id)


def check_in_list(*, actor: Actor) -> QuerySet[CheckIn]:
    return (
        CheckIn.objects.filter(actor.worker_scope("worker__"))
        .select_related("worker", "manager")
        .order_by("due_on", "id")
    )


def worker_placement_summary(*, worker: Worker) -> dict:
    """The worker's assignments and latest screening decision, for the worker page. Read through
    reverse relations (assignments and screening sit above workers, so they are not imported).
    Callers already hold a worker the actor may see; templates decide what a provider is shown
    (the outcome only, never scores)."""
    assignments = list(worker.assignments.select_related("team", "manager", "client").order_by("-starts_on"))
    candidate = worker.candidate if hasattr(worker, "candidate") else None
    screening = None
    if candidate is not None:
        screening = (
            candidate.screenings.filter(status__in=["passed", "failed"])
            .select_related("template")
            .order_by("-decided_at")
            .first()
        )
    return {"assignments": assignments, "screening": screening}


def worker_exits_due(*, today: dt.date) -> QuerySet[Worker]:
    """Workers whose scheduled exit day has come and who are not offboarded yet."""
    return Worker.objects.exclude(status=WorkerStatus.OFFBOARDED).filter(exit_date__lte=today).exclude(exit_reason="")
