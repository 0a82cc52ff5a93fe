"""Which audited (pghistory-tracked) resources the organization-wide log covers, and how each is
scoped. Scoping reuses the resource's own selector, so the log shows exactly the objects the
organization sees elsewhere; access rows (memberships, API keys, the organization itself) are scoped
by the organization recorded in the version, so a withdrawn membership or a deleted key stays in the
log. Add a resource here when a model gets a tracker."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from accounts.actors import Actor
from accounts.models import ApiKey, Membership, Organization
from assignments.models import Assignment, Team
from assignments.selectors import assignment_list
from integrations.models import WebhookEndpoint
from providers.models import ComplianceItem, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider
from providers.selectors import (
    compliance_item_list,
    contract_list,
    legal_entity_list,
    payroll_entry_list,
    payroll_run_list,
)
from risks.models import RiskFlag
from risks.selectors import risk_flag_list
from screening.models import (
    AssessmentResult,
    Candidate,
    ChecklistItem,
    InterviewScorecard,
    Screening,
    ScreeningTemplate,
)
from screening.selectors import (
    SCORECARD_BLIND_FIELDS,
    SCREENING_BLIND_FIELDS,
    candidate_list,
    scorecard_list,
    screening_list,
)
from workers.models import CheckIn, Worker
from workers.selectors import check_in_list, worker_list


@dataclass(frozen=True)
class AuditedResource:
    name: str  # the API resource, e.g. "payroll-runs"
    label: str
    model: type[Model]
    scope: Callable[[Actor], Q]
    # Screening versions carry scores: only the client that screens reads them (DESIGN §9).
    clients_only: bool = False
    providers_only: bool = False
    # The blind rule: `blind_fields` of the objects `blind(actor)` lists (those whose ratings this
    # reader may not see yet) are left out of their versions, as the API leaves them out.
    blind_fields: frozenset = frozenset()
    blind: Callable[[Actor], QuerySet] | None = None
    # Snapshot columns holding a list of user ids (shown to people by name), e.g. a team's managers.
    user_list_fields: tuple[str, ...] = ()

    @property
    def event_model(self) -> type[Model]:
        return self.model.pgh_event_model


def _through(selector) -> Callable[[Actor], Q]:
    return lambda actor: Q(pgh_obj_id__in=selector(actor=actor).values("pk"))


def _ratings_hidden(selector) -> Callable[[Actor], QuerySet]:
    return lambda actor: selector(actor=actor).filter(ratings_visible=False)


def _own_screenings(actor: Actor) -> Q:
    """Versions of rows of the organization's screenings, by the screening recorded in the version,
    so a deleted assessment result (or checklist item) stays in the log."""
    return Q(screening_id__in=Screening.objects.filter(client_id=actor.organization.id).values("pk"))


def _own_organization(field: str) -> Callable[[Actor], Q]:
    return lambda actor: Q(**{field: actor.organization.id})


RESOURCES: tuple[AuditedResource, ...] = (
    AuditedResource("workers", "Worker", Worker, _through(worker_list)),
    AuditedResource("check-ins", "Check-in", CheckIn, _through(check_in_list)),
    AuditedResource("contracts", "Contract", EmploymentContract, _through(contract_list)),
    AuditedResource("assignments", "Assignment", Assignment, _through(assignment_list)),
    AuditedResource("legal-entities", "Legal entity", LegalEntity, _through(legal_entity_list)),
    AuditedResource("payroll-runs", "Payroll run", PayrollRun, _through(payroll_run_list)),
    AuditedResource("payroll-entries", "Payroll entry", PayrollEntry, _through(payroll_entry_list)),
    AuditedResource("compliance-items", "Compliance item", ComplianceItem, _through(compliance_item_list)),
    AuditedResource("candidates", "Candidate", Candidate, _through(candidate_list), clients_only=True),
    AuditedResource(
        "screenings",
        "Screening",
        Screening,
        _through(screening_list),
        clients_only=True,
        blind_fields=SCREENING_BLIND_FIELDS,
        blind=_ratings_hidden(screening_list),
    ),
    # The screening gate's rule and inputs: templates (by the client recorded in the version, so a
    # deleted template stays), interview scorecards (blind like the API: others' drafts never, others'
    # ratings only once visible to the reader) and assessment results.
    AuditedResource(
        "screening-templates",
        "Screening template",
        ScreeningTemplate,
        _own_organization("client_id"),
        clients_only=True,
    ),
    AuditedResource(
        "scorecards",
        "Interview scorecard",
        InterviewScorecard,
        _through(scorecard_list),
        clients_only=True,
        blind_fields=SCORECARD_BLIND_FIELDS,
        blind=_ratings_hidden(scorecard_list),
    ),
    AuditedResource("assessments", "Assessment result", AssessmentResult, _own_screenings, clients_only=True),
    # The pre-onboarding checklist: unchecked items block the hire unless a client admin overrides.
    AuditedResource("checklist-items", "Checklist item", ChecklistItem, _own_screenings, clients_only=True),
    AuditedResource("risk-flags", "Risk flag", RiskFlag, _through(risk_flag_list)),
    AuditedResource("api-keys", "API key", ApiKey, _own_organization("organization_id")),
    AuditedResource("memberships", "Membership", Membership, _own_organization("organization_id")),
    # Teams (who manages them) and webhook endpoints (where data goes): the organization's own,
    # by the organization recorded in the version, so a deleted team or endpoint stays in the log.
    AuditedResource(
        "teams", "Team", Team, _own_organization("client_id"), clients_only=True, user_list_fields=("manager_ids",)
    ),
    AuditedResource("webhook-endpoints", "Webhook endpoint", WebhookEndpoint, _own_organization("organization_id")),
    AuditedResource("organization", "Organization settings", Organization, _own_organization("pgh_obj_id")),
    # A provider organization's profile (its directory entry): the provider's own only.
    AuditedResource("providers", "Provider profile", Provider, _own_organization("pgh_obj_id"), providers_only=True),
)
BY_NAME = {resource.name: resource for resource in RESOURCES}


def resources_for(actor: Actor) -> list[AuditedResource]:
    return [
        resource
        for resource in RESOURCES
        if (actor.is_client or not resource.clients_only) and (actor.is_provider or not resource.providers_only)
    ]
