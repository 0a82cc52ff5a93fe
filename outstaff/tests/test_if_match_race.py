"""If-Match holds under concurrency for every writable resource (issue 9, point 4).

Two writers read the same ETag and write at the same time, each in its own thread with its own
database connection. The first is held inside its service (after the base viewset's precondition
check) until the second has had time to run its own check: the base viewset re-reads the row with
`SELECT … FOR UPDATE`, so the second waits for the first to commit, then sees a new ETag and gets
412. Without the row lock both checks pass against the old row and both writes answer 200."""

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import ClientFactory, make_actor
from assignments.tests.factories import AssignmentFactory, TeamFactory
from integrations.tests.factories import WebhookEndpointFactory
from providers.tests.factories import (
    ComplianceItemFactory,
    EmploymentContractFactory,
    LegalEntityFactory,
    PayrollEntryFactory,
    PayrollRunFactory,
    ProviderFactory,
)
from risks.tests.factories import RiskFlagFactory
from screening.tests.factories import CandidateFactory, InterviewScorecardFactory, ScreeningFactory
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _case_provider():
    provider = ProviderFactory()
    return provider.organization, f"/api/v1/providers/{provider.organization_id}/", {"legal_name": "Renamed Ltd"}


def _case_legal_entity():
    entity = LegalEntityFactory()
    return entity.provider.organization, f"/api/v1/legal-entities/{entity.id}/", {"registration_number": "HRB 2"}


def _case_contract():
    contract = EmploymentContractFactory()
    return contract.provider.organization, f"/api/v1/contracts/{contract.id}/", {"weekly_hours": "38.0"}


def _case_payroll_run():
    run = PayrollRunFactory()
    return run.provider.organization, f"/api/v1/payroll-runs/{run.id}/", {"external_id": "RUN-2"}


def _case_payroll_entry():
    entry = PayrollEntryFactory()
    return entry.provider.organization, f"/api/v1/payroll-entries/{entry.id}/", {"status": "processing"}


def _case_compliance_item():
    item = ComplianceItemFactory(status="submitted")
    return item.provider.organization, f"/api/v1/compliance-items/{item.id}/", {"status": "rejected"}


def _case_worker():
    worker = WorkerFactory()
    return worker.provider.organization, f"/api/v1/workers/{worker.id}/", {"role_title": "Staff engineer"}


def _case_check_in():
    check_in = CheckInFactory()
    body = {"done_on": "2026-02-14", "engagement": 4, "role_clarity": 4, "manager_relationship": 5}
    return check_in.worker.client, f"/api/v1/check-ins/{check_in.id}/", body


def _case_candidate():
    candidate = CandidateFactory()
    return candidate.client, f"/api/v1/candidates/{candidate.id}/", {"first_name": "Renamed"}


def _case_screening():
    screening = ScreeningFactory()
    return screening.client, f"/api/v1/screenings/{screening.id}/", {"external_id": "SCR-2"}


def _case_team():
    team = TeamFactory()
    return team.client, f"/api/v1/teams/{team.id}/", {"name": "Renamed team"}


def _case_assignment():
    client = ClientFactory()
    worker = WorkerFactory(client=client)
    assignment = AssignmentFactory(worker=worker, client=client)
    return client, f"/api/v1/assignments/{assignment.id}/", {"role": "Tech lead"}


def _case_webhook_endpoint():
    endpoint = WebhookEndpointFactory()
    return endpoint.organization, f"/api/v1/webhook-endpoints/{endpoint.id}/", {"description": "Renamed"}


CASES = {
    "providers": _case_provider,
    "legal-entities": _case_legal_entity,
    "contracts": _case_contract,
    "payroll-runs": _case_payroll_run,
    "payroll-entries": _case_payroll_entry,
    "compliance-items": _case_compliance_item,
    "workers": _case_worker,
    "check-ins": _case_check_in,
    "candidates": _case_candidate,
    "screenings": _case_screening,
    "teams": _case_team,
    "assignments": _case_assignment,
    "webhook-endpoints": _case_webhook_endpoint,
}


def _viewset_for(url: str):
    from django.urls import resolve

    return resolve(url).func.cls


def _race(monkeypatch, url, send, service_name, viewset):
    """Runs two writers holding the same ETag; returns their status codes in finishing order."""
    entered, release = threading.Event(), threading.Event()
    calls = []
    original = getattr(viewset, service_name)

    def held_service(*args, **kwargs):
        calls.append(threading.get_ident())
        if len(calls) == 1:
            entered.set()
            release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(viewset, service_name, held_service)
    statuses = []

    def writer():
        try:
            statuses.append(send())
        finally:
            connection.close()

    first = threading.Thread(target=writer)
    first.start()
    assert entered.wait(10), "the first writer never reached its service"
    second = threading.Thread(target=writer)
    second.start()
    time.sleep(0.5)  # the second writer runs its precondition check now (and waits for the lock)
    release.set()
    first.join(15)
    second.join(15)
    return statuses


@pytest.mark.parametrize("resource", sorted(CASES))
def test_two_writers_with_the_same_etag_one_wins_one_gets_412(resource, monkeypatch):
    organization, url, change = CASES[resource]()
    user = make_actor(organization).user
    api = APIClient()
    api.force_login(user)
    first_read = api.get(url)
    assert first_read.status_code == 200, first_read.content
    etag = first_read["ETag"]

    def send():
        client = APIClient()
        client.force_login(user)
        return client.patch(url, change, format="json", HTTP_IF_MATCH=etag).status_code

    statuses = _race(monkeypatch, url, send, "update_service", _viewset_for(url))
    assert sorted(statuses) == [200, 412], statuses
    assert api.get(url)["ETag"] != etag


def test_scorecard_writers_race(monkeypatch):
    screening = ScreeningFactory()
    actor = make_actor(screening.client)
    card = InterviewScorecardFactory(screening=screening, interviewer=actor.user, submitted_at=None)
    url = f"/api/v1/scorecards/{card.id}/"
    api = APIClient()
    api.force_login(actor.user)
    etag = api.get(url)["ETag"]

    def send():
        client = APIClient()
        client.force_login(actor.user)
        return client.patch(url, {"notes": "Strong"}, format="json", HTTP_IF_MATCH=etag).status_code

    statuses = _race(monkeypatch, url, send, "update_service", _viewset_for(url))
    assert sorted(statuses) == [200, 412], statuses


def test_risk_flag_actions_race(monkeypatch):
    """A resource written only through actions holds too: two acknowledgements with one ETag."""
    from risks.api import views

    flag = RiskFlagFactory()
    user = make_actor(flag.worker.client).user
    url = f"/api/v1/risk-flags/{flag.id}/"
    api = APIClient()
    api.force_login(user)
    etag = api.get(url)["ETag"]

    def send():
        client = APIClient()
        client.force_login(user)
        return client.post(url + "acknowledge/", {"note": "seen"}, format="json", HTTP_IF_MATCH=etag).status_code

    statuses = _race(monkeypatch, url, send, "risk_flag_acknowledge", views.services)
    assert sorted(statuses) == [200, 412], statuses


def test_api_key_revocations_race(monkeypatch):
    """A delete holds too: of two DELETEs with one ETag, the second sees the revoked key's new ETag."""
    client_org = ClientFactory()
    user = make_actor(client_org).user
    api = APIClient()
    api.force_login(user)
    created = api.post("/api/v1/api-keys/", {"name": "sync", "scopes": ["workers:read"]}, format="json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/api-keys/{created.json()['id']}/"
    etag = api.get(url)["ETag"]

    def send():
        client = APIClient()
        client.force_login(user)
        return client.delete(url, HTTP_IF_MATCH=etag).status_code

    statuses = _race(monkeypatch, url, send, "delete_service", _viewset_for(url))
    assert sorted(statuses) == [204, 412], statuses


def test_without_if_match_the_caller_accepts_last_write_wins():
    entry = PayrollEntryFactory()
    api = APIClient()
    api.force_login(make_actor(entry.provider.organization).user)
    url = f"/api/v1/payroll-entries/{entry.id}/"
    assert api.patch(url, {"status": "processing"}, format="json").status_code == 200
    assert api.patch(url, {"status": "on_hold"}, format="json").status_code == 200
    stale = api.patch(url, {"status": "processing"}, format="json", HTTP_IF_MATCH='"0000"')
    assert stale.status_code == 412
    assert stale["Content-Type"].startswith("application/problem+json")
    entry.refresh_from_db()
    assert entry.status == "on_hold"


def test_every_resource_written_through_a_service_is_raced_here():
    """A resource added later with an update or delete service must get its race above."""
    from django.urls import URLResolver, get_resolver, resolve

    from outstaff.api.viewsets import ServiceViewSet

    def callbacks(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from callbacks(pattern.url_patterns)
            else:
                yield pattern.callback

    writable = {
        callback.cls
        for callback in callbacks(get_resolver().url_patterns)
        if isinstance(getattr(callback, "cls", None), type)
        and issubclass(callback.cls, ServiceViewSet)
        and (callback.cls.update_service is not None or callback.cls.delete_service is not None)
    }
    raced = {resolve(f"/api/v1/{name}/").func.cls for name in [*CASES, "scorecards", "api-keys"]}
    assert len(writable) >= 14
    assert writable <= raced, sorted(cls.__name__ for cls in writable - raced)
