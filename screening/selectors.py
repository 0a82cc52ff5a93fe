from django.db.models import QuerySet

from accounts.actors import Actor
from workers.models import Worker

from .choices import ScreeningStatus
from .models import Screening


def worker_passes_gate(*, worker: Worker) -> bool:
    """The onboarding gate (DESIGN §7): a worker may become active or be assigned only after a
    passed screening of their candidate record, or a client admin's written override."""
    if worker.gate_override_reason:
        return True
    return Screening.objects.filter(candidate__worker=worker, status=ScreeningStatus.PASSED).exists()


def screening_list(*, actor: Actor) -> QuerySet[Screening]:
    if actor.is_provider:
        return Screening.objects.filter(provider_id=actor.organization.id).select_related("candidate", "template")
    return Screening.objects.filter(client_id=actor.organization.id).select_related("candidate", "template")
