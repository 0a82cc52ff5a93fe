"""Reads of workers, scoped by `Actor.worker_scope` (DESIGN §9)."""

from django.db.models import QuerySet

from accounts.actors import Actor

from .models import CheckIn, Worker


def worker_list(*, actor: Actor) -> QuerySet[Worker]:
    return (
        Worker.objects.filter(actor.worker_scope())
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
