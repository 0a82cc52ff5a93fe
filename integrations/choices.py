from django.db import models


class EventType(models.TextChoices):
    """What an integrator can subscribe to (docs/webhooks.md, and the `webhooks` of the OpenAPI
    schema)."""

    WORKER_CHANGED = "worker.changed", "A worker changed"
    ASSIGNMENT_CHANGED = "assignment.changed", "An assignment changed"
    CONTRACT_CHANGED = "contract.changed", "An employment contract changed"
    PAYROLL_ENTRY_CHANGED = "payroll_entry.changed", "A payroll entry changed"
    COMPLIANCE_ITEM_CHANGED = "compliance_item.changed", "A compliance item changed"
    CHECK_IN_CHANGED = "check_in.changed", "A check-in changed"
    TEAM_CHANGED = "team.changed", "A team or who manages it changed"
    LEGAL_ENTITY_CHANGED = "legal_entity.changed", "A provider's legal entity (or its staffing licence) changed"
    SCREENING_DECIDED = "screening.decided", "A screening was decided"
    WORKER_ACTIVATED = "worker.activated", "A worker became active"
    WORKER_OFFBOARDED = "worker.offboarded", "A worker was offboarded"
    RISK_FLAG_OPENED = "risk_flag.opened", "A risk flag opened (or reopened)"
    RISK_FLAG_ESCALATED = "risk_flag.escalated", "A risk flag's severity rose"
    RISK_FLAG_RESOLVED = "risk_flag.resolved", "A risk flag was resolved"
    RISK_FLAG_DISMISSED = "risk_flag.dismissed", "A risk flag was dismissed"
    WORKER_DELETED = "worker.deleted", "A worker was deleted"
    CHECK_IN_DELETED = "check_in.deleted", "A check-in was deleted"
    CONTRACT_DELETED = "contract.deleted", "An employment contract was deleted"
    LEGAL_ENTITY_DELETED = "legal_entity.deleted", "A legal entity was deleted"
    PAYROLL_RUN_DELETED = "payroll_run.deleted", "A payroll run was deleted"
    PAYROLL_ENTRY_DELETED = "payroll_entry.deleted", "A payroll entry was deleted"
    COMPLIANCE_ITEM_DELETED = "compliance_item.deleted", "A compliance item was deleted"
    TEAM_DELETED = "team.deleted", "A team was deleted"
    ASSIGNMENT_DELETED = "assignment.deleted", "An assignment was deleted"
    CANDIDATE_DELETED = "candidate.deleted", "A candidate was deleted"
    SCREENING_DELETED = "screening.deleted", "A screening was deleted"
    ASSESSMENT_DELETED = "assessment.deleted", "An assessment was deleted"
    RISK_FLAG_DELETED = "risk_flag.deleted", "A risk flag was deleted"


# A tombstone's resource type (the API resource, see outstaff.tombstones) → the API-key scope family
# that reads it, and the event its deletion sends. The outbox trigger (migration
# 0003_tombstone_outbox) carries a frozen copy of the event names.
TOMBSTONE_RESOURCES: dict[str, tuple[str, str]] = {
    "workers": ("workers", EventType.WORKER_DELETED),
    "check-ins": ("workers", EventType.CHECK_IN_DELETED),
    "contracts": ("contracts", EventType.CONTRACT_DELETED),
    "legal-entities": ("providers", EventType.LEGAL_ENTITY_DELETED),
    "payroll-runs": ("payroll", EventType.PAYROLL_RUN_DELETED),
    "payroll-entries": ("payroll", EventType.PAYROLL_ENTRY_DELETED),
    "compliance-items": ("compliance", EventType.COMPLIANCE_ITEM_DELETED),
    "teams": ("assignments", EventType.TEAM_DELETED),
    "assignments": ("assignments", EventType.ASSIGNMENT_DELETED),
    "candidates": ("screening", EventType.CANDIDATE_DELETED),
    "screenings": ("screening", EventType.SCREENING_DELETED),
    "assessments": ("screening", EventType.ASSESSMENT_DELETED),
    "risk-flags": ("risks", EventType.RISK_FLAG_DELETED),
}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
