from django.db import models


class EventType(models.TextChoices):
    """What an integrator can subscribe to. Every event carries ids only (DESIGN §8): the receiver
    fetches the resource through the API with its own key's scopes."""

    WORKER_CHANGED = "worker.changed", "A worker changed"
    ASSIGNMENT_CHANGED = "assignment.changed", "An assignment changed"
    CONTRACT_CHANGED = "contract.changed", "An employment contract changed"
    PAYROLL_ENTRY_CHANGED = "payroll_entry.changed", "A payroll entry changed"
    COMPLIANCE_ITEM_CHANGED = "compliance_item.changed", "A compliance item changed"
    CHECK_IN_CHANGED = "check_in.changed", "A check-in changed"
    SCREENING_DECIDED = "screening.decided", "A screening was decided"


# The model label a lower app announces (`source`) → the event type; anything else is a worker change.
EVENT_TYPE_FOR_SOURCE: dict[str, str] = {
    "workers.Worker": EventType.WORKER_CHANGED,
    "assignments.Assignment": EventType.ASSIGNMENT_CHANGED,
    "providers.EmploymentContract": EventType.CONTRACT_CHANGED,
    "providers.PayrollEntry": EventType.PAYROLL_ENTRY_CHANGED,
    "providers.ComplianceItem": EventType.COMPLIANCE_ITEM_CHANGED,
    "workers.CheckIn": EventType.CHECK_IN_CHANGED,
    "screening.Screening": EventType.SCREENING_DECIDED,
}


def event_type_for_source(source: str) -> str:
    return EVENT_TYPE_FOR_SOURCE.get(source, EventType.WORKER_CHANGED)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
