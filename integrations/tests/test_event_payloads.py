"""Events that carry the change (issue 8, point 6): each event holds the resource as the endpoint
owner's own API view shows it, the change kind, the changed fields and when; lifecycle events of
their own for activation, offboarding, screening decisions and risk flags."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import make_actor
from assignments.tests.factories import AssignmentFactory
from integrations.models import WebhookEvent
from providers.choices import ContractType, EngagementModel
from providers.tests.factories import EmploymentContractFactory, PayrollEntryFactory
from risks.models import RiskFlag
from risks.services import flags as flag_services
from risks.services.scan import risk_scan_run
from risks.tests.factories import RiskFlagFactory
from screening.services.screenings import screening_decide
from screening.tests.factories import ScreeningFactory
from workers import services as worker_services

pytestmark = pytest.mark.django_db


def _events(organization, event_type=None):
    events = WebhookEvent.objects.filter(organization=organization).order_by("created_at", "id")
    if event_type:
        events = events.filter(type=event_type)
    return [event.payload for event in events]


def test_an_event_carries_the_resource_as_the_owners_api_shows_it(tenants, endpoint_factory, api_key_client):
    provider, client = tenants["provider_p"], tenants["client_a"]
    endpoint_factory(organization=provider)
    endpoint_factory(organization=client)
    endpoint_factory(organization=tenants["provider_q"])  # another tenant: hears nothing
    entry = PayrollEntryFactory(worker=tenants["mine"], external_id="PE-1")
    provider_api = api_key_client(provider, ["payroll:write"])

    response = provider_api.patch(
        f"/api/v1/payroll-entries/{entry.id}/", {"status": "failed", "failure_reason": "IBAN rejected"}, format="json"
    )
    assert response.status_code == 200, response.content

    [event] = _events(provider, "payroll_entry.changed")
    data = event["data"]
    assert data["resource_type"] == "payroll-entries" and data["id"] == str(entry.id)
    assert data["change"] == "updated" and set(data["changed_fields"]) == {"status", "failure_reason"}
    assert data["occurred_at"] == event["timestamp"]
    # Exactly what the provider's own GET shows (ETag-relevant fields included).
    assert data["object"] == provider_api.get(f"/api/v1/payroll-entries/{entry.id}/").json()
    # The client's event is the client's own view of the row.
    [client_event] = _events(client, "payroll_entry.changed")
    client_view = api_key_client(client, ["payroll:read"]).get(f"/api/v1/payroll-entries/{entry.id}/").json()
    assert client_event["data"]["object"] == client_view
    assert _events(tenants["provider_q"]) == []


def test_created_and_the_worker_lifecycle_have_their_own_events(tenants, endpoint_factory):
    client = tenants["client_a"]
    endpoint_factory(organization=client)
    actor = make_actor(tenants["provider_p"])
    worker = worker_services.worker_create(
        actor=actor, client=client, first_name="Ada", last_name="L", work_email="ada@x.test", country="DE"
    )
    [created] = _events(client, "worker.changed")
    assert created["data"]["change"] == "created" and created["data"]["object"]["first_name"] == "Ada"

    admin = make_actor(client, role="client_admin")
    worker_services.worker_activate(actor=admin, worker=worker, override_reason="Known contractor, re-hired.")
    [activated] = _events(client, "worker.activated")
    assert activated["data"]["object"]["status"] == "active" and "status" in activated["data"]["changed_fields"]

    worker_services.worker_offboard(actor=actor, worker=worker, exit_date=dt.date.today(), exit_reason="voluntary")
    [offboarded] = _events(client, "worker.offboarded")
    assert offboarded["data"]["object"]["exit_reason"] == "voluntary"
    assert set(offboarded["data"]["changed_fields"]) >= {"status", "exit_date", "exit_reason"}
    # Each lifecycle change is also a worker.changed, for subscribers of every change.
    assert [e["data"]["change"] for e in _events(client, "worker.changed")] == ["created", "updated", "updated"]


def test_a_screening_decision_reaches_the_provider_without_the_scores(tenants, endpoint_factory):
    client, provider = tenants["client_a"], tenants["provider_p"]
    endpoint_factory(organization=client)
    endpoint_factory(organization=provider, event_types=["screening.decided"])
    screening = ScreeningFactory(client=client, provider=tenants["mine"].provider, candidate__worker=tenants["mine"])
    screening.candidate.client = client
    screening.candidate.save()
    screening_decide(actor=make_actor(client, role="client_admin"), screening=screening, outcome="failed", notes="No.")

    [decided] = _events(client, "screening.decided")
    assert decided["data"]["object"]["status"] == "failed" and "status" in decided["data"]["changed_fields"]
    assert "composite_score" in decided["data"]["object"]
    provider_events = _events(provider, "screening.decided")
    assert provider_events, "the provider that will employ the worker hears of the decision"
    assert "composite_score" not in provider_events[0]["data"]["object"]


def test_risk_flag_events_opened_escalated_resolved_dismissed(tenants, endpoint_factory):
    client = tenants["client_a"]
    endpoint_factory(organization=client)
    worker = tenants["mine"]
    EmploymentContractFactory(
        worker=worker,
        contract_type=ContractType.EMPLOYMENT,
        engagement_model=EngagementModel.UNSPECIFIED,
        starts_on=dt.date(2025, 1, 1),
    )
    AssignmentFactory(worker=worker, starts_on=dt.date(2025, 1, 1), weekly_hours=Decimal("20.0"))

    risk_scan_run(worker_ids=[worker.id])
    opened = _events(client, "risk_flag.opened")
    flag = RiskFlag.objects.get(worker=worker, rule_code="engagement_model_unspecified")
    assert str(flag.id) in {e["data"]["id"] for e in opened}
    event = next(e for e in opened if e["data"]["id"] == str(flag.id))
    assert event["data"]["change"] == "created" and event["data"]["object"]["rule_code"] == flag.rule_code

    # A rescan that finds the same facts says nothing; one with graver facts escalates.
    before = WebhookEvent.objects.count()
    risk_scan_run(worker_ids=[worker.id])
    assert WebhookEvent.objects.count() == before
    RiskFlag.objects.filter(pk=flag.pk).update(severity="low", evidence_hash="stale")
    risk_scan_run(worker_ids=[worker.id])
    [escalated] = _events(client, "risk_flag.escalated")
    assert escalated["data"]["id"] == str(flag.id) and "severity" in escalated["data"]["changed_fields"]

    admin = make_actor(client, role="client_admin")
    flag_services.risk_flag_dismiss(actor=admin, flag=flag, reason="Stated in the annex.")
    [dismissed] = _events(client, "risk_flag.dismissed")
    assert dismissed["data"]["object"]["status"] == "dismissed"

    other = RiskFlagFactory(worker=worker, rule_code="no_directing_manager")
    flag_services.risk_flag_resolve(actor=admin, flag=other, reason="Fixed.")
    [resolved] = _events(client, "risk_flag.resolved")
    assert resolved["data"]["id"] == str(other.id) and resolved["data"]["object"]["status"] == "resolved"


def test_team_and_legal_entity_changes_send_events_carrying_them(tenants, endpoint_factory):
    """Who manages a team and a provider's legal entities are events of their own, each carrying the
    row as its owner's API shows it (they used to be id-only `worker.changed` events)."""
    from assignments import services as assignment_services
    from assignments.tests.factories import TeamFactory
    from providers import services as provider_services
    from providers.tests.factories import LegalEntityFactory

    client, provider = tenants["client_a"], tenants["provider_p"]
    endpoint_factory(organization=client)
    endpoint_factory(organization=provider)
    endpoint_factory(organization=tenants["client_b"])
    team = TeamFactory(client=client)
    AssignmentFactory(worker=tenants["mine"], team=team)
    WebhookEvent.objects.all().delete()
    admin = make_actor(client, role="client_admin")
    manager = make_actor(client, role="hiring_manager").user

    assignment_services.team_update(actor=admin, instance=team, managers=[manager])
    [event] = _events(client, "team.changed")
    assert event["data"]["resource_type"] == "teams" and event["data"]["changed_fields"] == ["managers"]
    assert event["data"]["object"]["id"] == str(team.id)
    assert _events(client, "worker.changed") == [] and _events(tenants["client_b"]) == []
    # The same managers again: silent.
    assignment_services.team_update(actor=admin, instance=team, managers=[manager])
    assert len(_events(client, "team.changed")) == 1

    entity = LegalEntityFactory(provider=tenants["mine"].provider)
    provider_actor = make_actor(provider)
    provider_services.legal_entity_update(actor=provider_actor, instance=entity, name="Renamed GmbH")
    [changed] = _events(provider, "legal_entity.changed")
    assert changed["data"]["resource_type"] == "legal-entities" and changed["data"]["changed_fields"] == ["name"]
    assert changed["data"]["object"]["name"] == "Renamed GmbH"
    # The client of a worker this provider employs sees the provider's entities; another client does not.
    [client_view] = _events(client, "legal_entity.changed")
    assert client_view["data"]["object"]["name"] == "Renamed GmbH"
    assert _events(tenants["client_b"]) == []
    provider_services.legal_entity_update(actor=provider_actor, instance=entity, name="Renamed GmbH")
    assert len(_events(provider, "legal_entity.changed")) == 1


def test_a_withdrawn_and_an_applied_scheduled_exit_carry_the_worker(tenants, endpoint_factory):
    client = tenants["client_a"]
    endpoint_factory(organization=client)
    actor = make_actor(tenants["provider_p"])
    worker = tenants["mine"]
    later = dt.date.today() + dt.timedelta(days=10)
    worker_services.worker_offboard(actor=actor, worker=worker, exit_date=later, exit_reason="voluntary")
    WebhookEvent.objects.all().delete()

    worker_services.worker_exit_cancel(actor=actor, worker=worker)
    [withdrawn] = _events(client, "worker.changed")
    assert set(withdrawn["data"]["changed_fields"]) == {"exit_date", "exit_reason", "exit_notes"}
    assert withdrawn["data"]["object"]["exit_date"] is None

    worker_services.worker_offboard(actor=actor, worker=worker, exit_date=later, exit_reason="voluntary")
    WebhookEvent.objects.all().delete()
    assert worker_services.worker_exits_apply(today=later) == [worker.id]
    [offboarded] = _events(client, "worker.offboarded")
    assert offboarded["data"]["changed_fields"] == ["status"]
    assert offboarded["data"]["object"]["status"] == "offboarded"


def test_every_event_type_is_in_the_openapi_schema_and_the_webhooks_doc(client):
    """Each type an endpoint can subscribe to has its webhook entry and its own component schema
    (`TeamChangedEvent`, …) in the OpenAPI schema, and a line in docs/webhooks.md."""
    from pathlib import Path

    import yaml
    from django.conf import settings

    from integrations.choices import EventType

    schema = yaml.safe_load(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi").content)
    components, webhooks = schema["components"]["schemas"], schema["x-webhooks"]
    doc = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
    for event_type in EventType.values:
        name = "".join(part.capitalize() for part in event_type.replace(".", "_").split("_")) + "Event"
        assert event_type in webhooks, event_type
        assert name in components, name
        ref = webhooks[event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{name}"
        assert f"`{event_type}`" in doc, f"{event_type} is not in docs/webhooks.md"
    assert set(webhooks) == set(EventType.values)
