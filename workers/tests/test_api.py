import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import ClientFactory, make_actor
from providers.tests.factories import ProviderFactory
from workers.models import Worker
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/workers/"


@pytest.fixture
def two_tenants():
    client_a, client_b = ClientFactory(), ClientFactory()
    provider_a, provider_b = ProviderFactory(), ProviderFactory()
    mine = WorkerFactory(client=client_a, provider=provider_a)
    theirs = WorkerFactory(client=client_b, provider=provider_b)
    return {"client_a": client_a, "provider_a": provider_a, "mine": mine, "theirs": theirs}


def test_client_key_lists_only_its_workers(two_tenants, api_key_client):
    api = api_key_client(two_tenants["client_a"], ["workers:read"])
    response = api.get(URL)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(two_tenants["mine"].id)]


def test_provider_key_lists_only_the_workers_it_employs(two_tenants, api_key_client):
    api = api_key_client(two_tenants["provider_a"].organization, ["workers:read"])
    ids = [row["id"] for row in api.get(URL).json()["results"]]
    assert ids == [str(two_tenants["mine"].id)]


def test_other_tenants_worker_is_404_for_read_and_write(two_tenants, api_key_client):
    api = api_key_client(two_tenants["client_a"], ["workers:write"])
    theirs = two_tenants["theirs"]
    assert api.get(f"{URL}{theirs.id}/").status_code == 404
    response = api.patch(f"{URL}{theirs.id}/", {"first_name": "Hacked"}, format="json")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.first_name != "Hacked"


def test_create_validation_error_is_problem_json_with_field_errors(two_tenants, api_key_client):
    api = api_key_client(two_tenants["client_a"], ["workers:write"])
    response = api.post(URL, {"first_name": "Ada", "work_email": "not-an-email", "country": "Germany"}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 400 and body["title"] == "Invalid input"
    fields = {error["field"] for error in body["errors"]}
    assert {"last_name", "work_email", "country"} <= fields
    assert Worker.objects.count() == 2


def test_client_creates_worker_with_a_provider(two_tenants, api_key_client):
    api = api_key_client(two_tenants["client_a"], ["workers:write"])
    payload = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "work_email": "ada@example.test",
        "country": "de",
        "provider": str(two_tenants["provider_a"].pk),
        "external_id": "HR-1",
    }
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    worker = Worker.objects.get(id=response.json()["id"])
    assert worker.client == two_tenants["client_a"] and worker.country == "DE" and worker.status == "onboarding"


def test_duplicate_external_id_is_a_400_not_a_500(two_tenants, api_key_client):
    api = api_key_client(two_tenants["client_a"], ["workers:write"])
    payload = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "work_email": "ada@example.test",
        "country": "DE",
        "provider": str(two_tenants["provider_a"].pk),
        "external_id": "HR-1",
    }
    assert api.post(URL, payload, format="json").status_code == 201
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_read_scope_cannot_write(two_tenants, api_key_client):
    api = api_key_client(two_tenants["client_a"], ["workers:read"])
    response = api.patch(f"{URL}{two_tenants['mine'].id}/", {"first_name": "X"}, format="json")
    assert response.status_code == 403
    assert response.json()["status"] == 403


def test_no_credentials_is_401_problem(api_client):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["title"] == "Authentication required"


def test_list_query_count_does_not_grow_with_rows(two_tenants, api_key_client):
    api = api_key_client(two_tenants["client_a"], ["workers:read"])
    api.get(URL)  # warm up
    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    WorkerFactory.create_batch(15, client=two_tenants["client_a"], provider=two_tenants["provider_a"])
    with CaptureQueriesContext(connection) as many:
        response = api.get(URL)
    assert len(response.json()["results"]) == 16
    assert len(many) == len(few)


def test_etag_and_if_match(two_tenants, api_key_client):
    api = api_key_client(two_tenants["client_a"], ["workers:write"])
    url = f"{URL}{two_tenants['mine'].id}/"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"first_name": "Ok"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = api.patch(url, {"first_name": "Stale"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    two_tenants["mine"].refresh_from_db()
    assert two_tenants["mine"].first_name == "Ok"


def test_idempotency_key_replays_the_first_response(two_tenants, api_key_client):
    api = api_key_client(two_tenants["client_a"], ["workers:write"])
    payload = {
        "first_name": "Ada",
        "last_name": "L",
        "work_email": "ada@example.test",
        "country": "DE",
        "provider": str(two_tenants["provider_a"].pk),
    }
    first = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    second = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Worker.objects.filter(first_name="Ada").count() == 1


def test_session_user_of_provider_sees_own_workers(two_tenants, client):
    actor = make_actor(two_tenants["provider_a"].organization)
    client.force_login(actor.user)
    response = client.get(URL)
    assert [row["id"] for row in response.json()["results"]] == [str(two_tenants["mine"].id)]


def test_hiring_manager_sees_only_workers_on_their_teams(two_tenants, client):
    from assignments.tests.factories import AssignmentFactory, TeamFactory

    client_a = two_tenants["client_a"]
    manager = make_actor(client_a, role="hiring_manager")
    team = TeamFactory(client=client_a)
    team.managers.add(manager.user)
    AssignmentFactory(worker=two_tenants["mine"], team=team)
    other = WorkerFactory(client=client_a, provider=two_tenants["provider_a"])
    client.force_login(manager.user)
    ids = {row["id"] for row in client.get(URL).json()["results"]}
    assert ids == {str(two_tenants["mine"].id)}
    assert str(other.id) not in ids


def test_activate_requires_a_passed_screening_or_an_admin_override(two_tenants, api_key_client, client):
    from screening.tests.factories import CandidateFactory, ScreeningFactory

    worker = WorkerFactory(client=two_tenants["client_a"], provider=two_tenants["provider_a"], status="onboarding")
    api = api_key_client(two_tenants["client_a"], ["workers:write"])
    url = f"{URL}{worker.id}/activate/"
    refused = api.post(url, {}, format="json")
    assert refused.status_code == 400
    assert "no passed screening" in refused.json()["detail"]
    # An API key has no client-admin role, so it cannot override the gate either.
    assert api.post(url, {"override_reason": "urgent"}, format="json").status_code == 403
    worker.refresh_from_db()
    assert worker.status == "onboarding" and worker.gate_override_reason == ""

    admin = make_actor(two_tenants["client_a"], role="client_admin")
    client.force_login(admin.user)
    response = client.post(url, {"override_reason": "Contractor converted; screened by the previous vendor"})
    assert response.status_code == 200, response.json()
    worker.refresh_from_db()
    assert worker.status == "active" and worker.gate_override_by == admin.user

    screened = WorkerFactory(client=two_tenants["client_a"], provider=two_tenants["provider_a"], status="onboarding")
    candidate = CandidateFactory(client=two_tenants["client_a"], worker=screened)
    ScreeningFactory(client=two_tenants["client_a"], candidate=candidate, status="passed")
    assert api.post(f"{URL}{screened.id}/activate/", {}, format="json").status_code == 200


def test_activate_another_tenants_worker_is_404(two_tenants, api_key_client):
    api = api_key_client(two_tenants["client_a"], ["workers:write"])
    assert api.post(f"{URL}{two_tenants['theirs'].id}/activate/", {}, format="json").status_code == 404


def test_a_new_record_after_a_provider_change_continues_the_person(two_tenants, api_key_client):
    """`continues_worker` links the new record to the person (risks count tenure per person); another
    tenant's worker cannot be named, and nothing is created then."""
    api = api_key_client(two_tenants["client_a"], ["workers:write"])
    payload = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "work_email": "ada@new-provider.test",
        "country": "DE",
        "provider": str(two_tenants["provider_a"].pk),
        "continues_worker": str(two_tenants["mine"].id),
    }
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["person_id"] == str(two_tenants["mine"].person_id)
    before = Worker.objects.count()
    foreign = api.post(URL, {**payload, "continues_worker": str(two_tenants["theirs"].id)}, format="json")
    assert foreign.status_code == 400
    assert "continues_worker" in {error["field"] for error in foreign.json()["errors"]}
    assert Worker.objects.count() == before
