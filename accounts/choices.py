from django.db import models


class OrganizationKind(models.TextChoices):
    CLIENT = "client", "Client"
    PROVIDER = "provider", "Provider"


class Role(models.TextChoices):
    CLIENT_ADMIN = "client_admin", "Client admin"
    HIRING_MANAGER = "hiring_manager", "Hiring manager"
    VIEWER = "viewer", "Viewer"
    PROVIDER_ADMIN = "provider_admin", "Provider admin"
    PAYROLL_OFFICER = "payroll_officer", "Payroll officer"
    COMPLIANCE_OFFICER = "compliance_officer", "Compliance officer"


CLIENT_ROLES = {Role.CLIENT_ADMIN, Role.HIRING_MANAGER, Role.VIEWER}
PROVIDER_ROLES = {Role.PROVIDER_ADMIN, Role.PAYROLL_OFFICER, Role.COMPLIANCE_OFFICER}


class Scope(models.TextChoices):
    """Resource families an API key (or a role) may read or write. A write scope implies read."""

    PROVIDERS = "providers", "Providers and legal entities"
    WORKERS = "workers", "Workers and check-ins"
    CONTRACTS = "contracts", "Employment contracts"
    ASSIGNMENTS = "assignments", "Teams and assignments"
    SCREENING = "screening", "Candidates, screenings, scorecards, assessments"
    PAYROLL = "payroll", "Payroll runs and entries"
    COMPLIANCE = "compliance", "Compliance items"
    RISKS = "risks", "Risk flags and retention metrics"
    WEBHOOKS = "webhooks", "Webhook endpoints"
    API_KEYS = "api_keys", "API keys"
    SCIM = "scim", "SCIM provisioning of workers (/scim/v2/)"


ALL_SCOPE_STRINGS = sorted(f"{family}:{mode}" for family in Scope.values for mode in ("read", "write"))

# Which families each role may change through pages and the API; every role reads what its
# organization may see.
ROLE_WRITE_FAMILIES: dict[str, set[str]] = {
    Role.CLIENT_ADMIN: {
        Scope.WORKERS,
        Scope.ASSIGNMENTS,
        Scope.SCREENING,
        Scope.RISKS,
        Scope.WEBHOOKS,
        Scope.API_KEYS,
    },
    Role.HIRING_MANAGER: {Scope.WORKERS, Scope.ASSIGNMENTS, Scope.SCREENING, Scope.RISKS},
    Role.VIEWER: set(),
    Role.PROVIDER_ADMIN: {
        Scope.PROVIDERS,
        Scope.WORKERS,
        Scope.CONTRACTS,
        Scope.PAYROLL,
        Scope.COMPLIANCE,
        Scope.RISKS,
        Scope.WEBHOOKS,
        Scope.API_KEYS,
    },
    Role.PAYROLL_OFFICER: {Scope.PAYROLL},
    Role.COMPLIANCE_OFFICER: {Scope.COMPLIANCE, Scope.CONTRACTS},
}
