"""Helpers shared by the screening services."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.actors import Actor
from outstaff.signals import send_worker_changed_on_commit

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


def _notify(screening: Screening) -> None:
    if screening.candidate.worker_id:
        send_worker_changed_on_commit(worker_id=screening.candidate.worker_id, source="screening.Screening")
