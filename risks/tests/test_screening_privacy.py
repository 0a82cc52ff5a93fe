"""Issue #3 §11: providers see the outcome of a screening, never its scores or the client's notes —
and that holds for the risk flags a screening raises, not only for the screening pages."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import ClientFactory, make_actor
from providers.tests.factories import LegalEntityFactory, ProviderFactory
from risks.models import RiskFlag
from risks.services.digest import risk_digest_send
from risks.services.scan import risk_scan_run
from screening import services
from screening.choices import AssessmentKind, ChecklistCode
from screening.tests.factories import CandidateFactory, ScreeningTemplateFactory
from workers import services as worker_services

pytestmark = pytest.mark.django_db

OVERRIDE = "The CTO vouched for her after a weak interview"


@pytest.fixture
def low_pass():
    """A worker hired after a screening passed by override with a low composite, within 90 days."""
    client = ClientFactory()
    admin = make_actor(client, role="client_admin")
    provider = ProviderFactory()
    LegalEntityFactory(provider=provider, country="PL")
    template = ScreeningTemplateFactory(client=client, min_cefr={})
    candidate = CandidateFactory(client=client, country="PL")
    screening = services.screening_create(actor=admin, candidate=candidate, template=template, provider=provider)
    kit = [item["competency"] for item in template.interview_kit]
    services.scorecard_save(actor=admin, screening=screening, ratings=dict.fromkeys(kit, 2), recommendation="no")
    services.assessment_record(
        actor=admin, screening=screening, kind=AssessmentKind.WORK_SAMPLE, instrument="Task", raw_score=40
    )
    services.screening_decide(actor=admin, screening=screening, outcome="passed", override_reason=OVERRIDE)
    for code in ChecklistCode.values:
        services.checklist_item_set(actor=admin, screening=screening, code=code, checked=True)
    worker = services.screening_hire(
        actor=admin, screening=screening, start_date=timezone.localdate() - dt.timedelta(days=10)
    )
    worker = worker_services.worker_activate(actor=admin, worker=worker)
    risk_scan_run(worker_ids=[worker.id])
    screening.refresh_from_db()
    assert RiskFlag.objects.filter(worker=worker, rule_code="screening_override").exists()
    return client, provider, worker, screening


def _assert_no_screening_detail(text: str, screening) -> None:
    assert OVERRIDE not in text
    assert f"{screening.composite_score:g}" not in text
    assert "composite of" not in text


def test_provider_risk_api_and_page_show_no_screening_scores(low_pass, api_key_client, client):
    client_org, provider, worker, screening = low_pass
    api = api_key_client(provider.organization, ["risks:read"])
    response = api.get("/api/v1/risk-flags/", {"worker": str(worker.id)})
    assert response.status_code == 200
    _assert_no_screening_detail(response.content.decode(), screening)
    provider_user = make_actor(provider.organization).user
    client.force_login(provider_user)
    page = client.get("/risks/")
    assert page.status_code == 200
    _assert_no_screening_detail(page.content.decode(), screening)
    # The client still sees it.
    client_api = api_key_client(client_org, ["risks:read"])
    assert OVERRIDE in client_api.get("/api/v1/risk-flags/").content.decode()


def test_provider_digest_shows_no_screening_scores(low_pass):
    _, provider, _, screening = low_pass
    make_actor(provider.organization)  # a provider admin receives the digest
    risk_digest_send(since=timezone.now() - dt.timedelta(days=1))
    to_provider = [m for m in mail.outbox if provider.organization.name in m.subject]
    for message in to_provider:
        _assert_no_screening_detail(message.body, screening)
