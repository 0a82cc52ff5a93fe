"""GET /api/v1/<resource>/{id}/history/ (outstaff.api.history): every audited resource, scoped like
the resource, who/when/channel/request and before/after, paginated with constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import api_key_create
from accounts.tests.factories import ClientFactory, make_actor
from assignments.tests.factories import AssignmentFactory
from providers.tests.factories import (
    ComplianceItemFactory,
    EmploymentContractFactory,
    LegalEntityFactory,
    PayrollEntryFactory,
    PayrollRunFactory,
    ProviderFactory,
)
from risks.tests.factories import RiskFlagFactory
from screening.tests.factories import CandidateFactory, ScreeningFactory
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants():
    client_a, client_b = ClientFactory(), ClientFactory()
    provider_a, provider_b = ProviderFactory(), ProviderFactory()
    worker = WorkerFactory(client=client_a, provider=provider_a)
    WorkerFactory(client=client_b, provider=provider_b)
    return client_a, client_b, provider_a, provider_b, worker


def _key(organization, scopes):
    from rest_framework.test import APIClient

    _, raw = api_key_create(organization=organization, name="hris", scopes=scopes)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def test_an_api_change_records_key_channel_request_and_before_after(two_tenants):
    client_a, _, provider_a, _, worker = two_tenants
    api = _key(provider_a.organization, ["workers:write"])
    response = api.patch(
        f"/api/v1/workers/{worker.id}/",
        {"role_title": "Staff engineer"},
        format="json",
        HTTP_X_REQUEST_ID="req-12345678",
    )
    assert response.status_code == 200 and response["X-Request-ID"] == "req-12345678"
    history = api.get(f"/api/v1/workers/{worker.id}/history/")
    assert history.status_code == 200
    latest, created = history.json()["results"][0], history.json()["results"][-1]
    assert latest["event"] == "updated" and created["event"] == "created"
    assert latest["changes"] == {"role_title": {"old": "Backend engineer", "new": "Staff engineer"}}
    assert latest["actor"] == {"kind": "api_key", "id": latest["actor"]["id"], "name": "hris"}
    assert latest["channel"] == "api" and latest["resource"] == "workers"
    assert latest["request"]["method"] == "PATCH" and latest["request"]["request_id"] == "req-12345678"
    assert latest["request"]["url"] == f"/api/v1/workers/{worker.id}/"
    # The client the worker is dedicated to reads the same history; another tenant gets 404.
    assert _key(client_a, ["workers:read"]).get(f"/api/v1/workers/{worker.id}/history/").status_code == 200
    outsider = _key(ClientFactory(), ["workers:read"])
    assert outsider.get(f"/api/v1/workers/{worker.id}/history/").status_code == 404
    # Reading history needs the resource's read scope.
    assert _key(client_a, ["payroll:read"]).get(f"/api/v1/workers/{worker.id}/history/").status_code == 403


def test_a_session_change_records_the_user_and_address(client, two_tenants):
    client_a, *_rest, worker = two_tenants
    admin = make_actor(client_a)
    client.force_login(admin.user)
    response = client.patch(f"/api/v1/workers/{worker.id}/", {"role_title": "Lead"}, content_type="application/json")
    assert response.status_code == 200
    row = client.get(f"/api/v1/workers/{worker.id}/history/").json()["results"][0]
    assert row["actor"] == {"kind": "user", "id": str(admin.user.id), "name": admin.user.get_full_name()}
    assert row["channel"] == "api" and row["request"]["ip"] == "127.0.0.1"
    assert len(row["request"]["request_id"]) == 32  # assigned by the server when the caller sent none


def _objects(client_a, provider_a, worker):
    run = PayrollRunFactory(provider=provider_a)
    return {
        "workers": (worker, "workers:read", client_a),
        "check-ins": (CheckInFactory(worker=worker), "workers:read", client_a),
        "contracts": (EmploymentContractFactory(worker=worker), "contracts:read", provider_a.organization),
        "legal-entities": (LegalEntityFactory(provider=provider_a), "providers:read", provider_a.organization),
        "payroll-runs": (run, "payroll:read", provider_a.organization),
        "payroll-entries": (PayrollEntryFactory(worker=worker, run=run), "payroll:read", provider_a.organization),
        "compliance-items": (ComplianceItemFactory(worker=worker), "compliance:read", provider_a.organization),
        "assignments": (
            AssignmentFactory(worker=worker, team__client=client_a, starts_on=dt.date(2026, 2, 1)),
            "assignments:read",
            client_a,
        ),
        "candidates": (CandidateFactory(client=client_a), "screening:read", client_a),
        "risk-flags": (RiskFlagFactory(worker=worker), "risks:read", client_a),
        "api-keys": (
            api_key_create(organization=client_a, name="k", scopes=["workers:read"])[0],
            "api_keys:read",
            client_a,
        ),
    }


def test_every_audited_resource_has_a_scoped_history(two_tenants):
    client_a, client_b, provider_a, provider_b, worker = two_tenants
    for resource, (obj, scope, owner) in _objects(client_a, provider_a, worker).items():
        mine = _key(owner, [scope]).get(f"/api/v1/{resource}/{obj.pk}/history/")
        assert mine.status_code == 200, (resource, mine.content)
        assert mine.json()["results"][-1]["event"] == "created", resource
        assert mine.json()["results"][-1]["resource"] == resource
        other = client_b if owner.kind == "client" else provider_b.organization
        assert _key(other, [scope]).get(f"/api/v1/{resource}/{obj.pk}/history/").status_code == 404, resource


def test_screening_history_for_a_provider_shows_no_scores(two_tenants):
    client_a, _, provider_a, _, worker = two_tenants
    screening = ScreeningFactory(candidate__client=client_a, client=client_a, status="passed", composite_score=71)
    screening.candidate.worker = worker
    screening.candidate.save()
    screening.provider = provider_a
    screening.save()
    own = _key(client_a, ["screening:read"]).get(f"/api/v1/screenings/{screening.id}/history/")
    assert own.status_code == 200 and "composite_score" in str(own.json())
    theirs = _key(provider_a.organization, ["screening:read"]).get(f"/api/v1/screenings/{screening.id}/history/")
    assert theirs.status_code == 200, theirs.content
    assert theirs.json()["results"] and "composite_score" not in str(theirs.json())


def test_history_pages_back_with_constant_queries(two_tenants):
    _, _, provider_a, _, worker = two_tenants
    api = _key(provider_a.organization, ["workers:write"])
    for n in range(5):
        api.patch(f"/api/v1/workers/{worker.id}/", {"role_title": f"Role {n}"}, format="json")
    first = api.get(f"/api/v1/workers/{worker.id}/history/?page_size=2").json()
    assert [row["changes"]["role_title"]["new"] for row in first["results"]] == ["Role 4", "Role 3"]
    second = api.get(first["next"]).json()
    assert [row["changes"]["role_title"]["new"] for row in second["results"]] == ["Role 2", "Role 1"]
    assert api.get(f"/api/v1/workers/{worker.id}/history/?before=abc").status_code == 400

    def count(size):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/v1/workers/{worker.id}/history/?page_size={size}").status_code == 200
        return len(queries)

    assert count(2) == count(6)
