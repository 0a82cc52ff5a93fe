"""Helpers shared by the screening services."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.actors import Actor
from outstaff.signals import ResourceChange, record_resource_changes, send_worker_changed_on_commit

from ..choices import (
    ScreeningStatus,
)
from ..models import Screening

FULL_TIME_HOURS = Decimal(30)


def _require_client(actor: Actor) -> None:
    if not actor.is_client:
        raise PermissionDenied("Screening is run by the client.")


def _require_in_progress(screening: Screening) -> None:
    if screening.status != ScreeningStatus.IN_PROGRESS:
        raise ValidationError(f"This screening is already {screening.get_status_display().lower()}; it cannot change.")


def _notify(screening: Screening, *, changed_fields=(), event: str = "") -> None:
    """Re-evaluate the worker (if the candidate is one) and tell the outbox; `event` names a
    lifecycle event such as "screening.decided"."""
    changes = [ResourceChange.of(screening, "updated", changed_fields, event=event)]
    if screening.candidate.worker_id:
        send_worker_changed_on_commit(
            worker_id=screening.candidate.worker_id, source="screening.Screening", changes=changes
        )
    else:
        record_resource_changes(changes=changes)
