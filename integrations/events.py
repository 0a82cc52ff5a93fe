"""Webhook events that carry the change (docs/webhooks.md): for each changed row, each organization
concerned that has an endpoint subscribed gets one event with the row as that organization's own
API view shows it — the resource's viewset picks the serializer and the selector for an actor of
that organization, so what it may not see (another tenant's rows, screening scores for a provider)
stays out — plus the change kind, the changed field names and when it happened.

Written in the change's transaction (the services announce changes with
`outstaff.signals.ResourceChange`); the cost without any subscribed endpoint is two queries."""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace

from django.apps import apps
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from accounts.actors import Actor
from accounts.models import Organization
from assignments.api.views import AssignmentViewSet, TeamViewSet
from outstaff.signals import ResourceChange
from providers.api.views import ComplianceItemViewSet, ContractViewSet, LegalEntityViewSet, PayrollEntryViewSet
from risks.api.views import RiskFlagViewSet
from screening.api.views import ScreeningViewSet
from workers.api.views import CheckInViewSet, WorkerViewSet

from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent


@dataclass(frozen=True)
class EventResource:
    resource_type: str  # the API resource, e.g. "payroll-entries"
    changed_event: str  # the event every change sends ("" when only lifecycle events exist)
    viewset: type
    # Lookups giving the organizations a row concerns (those that can see it), e.g. its worker's.
    parties: tuple[str, ...]


EVENT_RESOURCES: dict[str, EventResource] = {
    "workers.Worker": EventResource("workers", "worker.changed", WorkerViewSet, ("client_id", "provider_id")),
    "workers.CheckIn": EventResource(
        "check-ins", "check_in.changed", CheckInViewSet, ("worker__client_id", "worker__provider_id")
    ),
    "providers.EmploymentContract": EventResource(
        "contracts", "contract.changed", ContractViewSet, ("worker__client_id", "worker__provider_id")
    ),
    "providers.PayrollEntry": EventResource(
        "payroll-entries", "payroll_entry.changed", PayrollEntryViewSet, ("worker__client_id", "provider_id")
    ),
    "providers.ComplianceItem": EventResource(
        "compliance-items", "compliance_item.changed", ComplianceItemViewSet, ("worker__client_id", "provider_id")
    ),
    "assignments.Assignment": EventResource(
        "assignments", "assignment.changed", AssignmentViewSet, ("client_id", "worker__provider_id")
    ),
    "assignments.Team": EventResource("teams", "team.changed", TeamViewSet, ("client_id",)),
    # A client sees the legal entities of the providers employing its workers (their selector).
    "providers.LegalEntity": EventResource(
        "legal-entities", "legal_entity.changed", LegalEntityViewSet, ("provider_id", "provider__workers__client_id")
    ),
    "screening.Screening": EventResource("screenings", "", ScreeningViewSet, ("client_id", "provider_id")),
    "risks.RiskFlag": EventResource("risk-flags", "", RiskFlagViewSet, ("client_id", "provider_id")),
}


def _stamp(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _representations(resource: EventResource, *, organization: Organization, ids: list[str]) -> dict[str, dict]:
    """The rows `organization` may see, serialized as its API view shows them (one query per
    resource type and organization, plus what the serializer itself reads)."""
    actor = Actor(organization=organization)
    view = resource.viewset()
    view.request = SimpleNamespace(actor=actor, method="GET")
    view.action, view.format_kwarg, view.kwargs = "retrieve", None, {}
    serializer_class = view.get_serializer_class()
    rows = list(resource.viewset.selector(actor=actor).filter(pk__in=ids))
    context = {"actor": actor, "request": view.request, "view": view}
    # Rendered as the API renders it (ids, decimals and dates as JSON), then stored as JSON.
    data = json.loads(JSONRenderer().render(serializer_class(rows, many=True, context=context).data))
    return {str(row.pk): item for row, item in zip(rows, data, strict=True)}


def webhook_events_record_changes(*, changes: Iterable[ResourceChange]) -> int:
    """Write the outbox rows for `changes` (in the caller's transaction). Returns the number of
    deliveries created."""
    by_source: dict[str, list[ResourceChange]] = defaultdict(list)
    for change in changes:
        if change.source in EVENT_RESOURCES:
            by_source[change.source].append(change)
    if not by_source:
        return 0

    parties: dict[tuple[str, str], set] = {}
    for source, source_changes in by_source.items():
        resource = EVENT_RESOURCES[source]
        model = apps.get_model(source)
        ids = {change.object_id for change in source_changes}
        for row in model.objects.filter(pk__in=ids).values_list("pk", *resource.parties).distinct():
            parties.setdefault((source, str(row[0])), set()).update(org for org in row[1:] if org)
    organizations = {org for orgs in parties.values() for org in orgs}
    if not organizations:
        return 0
    endpoints = list(
        WebhookEndpoint.objects.filter(is_active=True, organization_id__in=organizations).select_related("organization")
    )
    if not endpoints:
        return 0
    endpoints_by_org = defaultdict(list)
    for endpoint in endpoints:
        endpoints_by_org[endpoint.organization_id].append(endpoint)

    now = timezone.now()
    events, deliveries = [], []
    for source, source_changes in by_source.items():
        resource = EVENT_RESOURCES[source]
        for organization_id, org_endpoints in endpoints_by_org.items():
            mine = [c for c in source_changes if organization_id in parties.get((source, c.object_id), ())]
            types = {t for c in mine for t in (resource.changed_event, c.event) if t}
            if not mine or not any(e.wants(t) for e in org_endpoints for t in types):
                continue
            seen = _representations(
                resource, organization=org_endpoints[0].organization, ids=[c.object_id for c in mine]
            )
            for change in mine:
                if change.object_id not in seen:  # this organization may not see the row
                    continue
                data = {
                    "resource_type": resource.resource_type,
                    "id": change.object_id,
                    "change": change.change,
                    "changed_fields": list(change.changed_fields),
                    "occurred_at": _stamp(now),
                    "object": seen[change.object_id],
                }
                for event_type in dict.fromkeys(t for t in (resource.changed_event, change.event) if t):
                    subscribed = [e for e in org_endpoints if e.wants(event_type)]
                    if not subscribed:
                        continue
                    event = WebhookEvent(
                        organization_id=organization_id,
                        type=event_type,
                        payload={"type": event_type, "timestamp": _stamp(now), "data": data},
                    )
                    events.append(event)
                    deliveries.extend(
                        WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now) for endpoint in subscribed
                    )
    WebhookEvent.objects.bulk_create(events)
    WebhookDelivery.objects.bulk_create(deliveries)
    return len(deliveries)
