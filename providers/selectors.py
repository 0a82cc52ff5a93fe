from django.db.models import QuerySet

from accounts.actors import Actor

from .models import ComplianceItem, EmploymentContract, LegalEntity, PayrollEntry, PayrollRun, Provider


def provider_list(*, actor: Actor) -> QuerySet[Provider]:
    """Providers are a directory: clients see every active provider (to hire through one); a
    provider sees only its own profile."""
    qs = Provider.objects.select_related("organization").filter(organization__is_active=True)
    if actor.is_provider:
        return qs.filter(organization_id=actor.organization.id)
    return qs


def legal_entity_list(*, actor: Actor) -> QuerySet[LegalEntity]:
    qs = LegalEntity.objects.select_related("provider")
    if actor.is_provider:
        return qs.filter(provider_id=actor.organization.id)
    # Clients see the entities of the providers that employ their workers: the facts they need to
    # judge whether the set-up is compliant.
    return qs.filter(provider__workers__client_id=actor.organization.id).distinct()


def contract_list(*, actor: Actor) -> QuerySet[EmploymentContract]:
    return EmploymentContract.objects.filter(actor.worker_scope("worker__")).select_related(
        "worker", "legal_entity", "provider"
    )


def payroll_run_list(*, actor: Actor) -> QuerySet[PayrollRun]:
    if not actor.is_provider:
        return PayrollRun.objects.none()
    return PayrollRun.objects.filter(provider_id=actor.organization.id)


def payroll_entry_list(*, actor: Actor) -> QuerySet[PayrollEntry]:
    return PayrollEntry.objects.filter(actor.worker_scope("worker__")).select_related("run", "worker")


def compliance_item_list(*, actor: Actor) -> QuerySet[ComplianceItem]:
    return ComplianceItem.objects.filter(actor.worker_scope("worker__")).select_related("worker")
