"""The API-keys page (issue 11, point 3): create with scopes from a list (the key shown once), list
with last use, revoke — for admins only, and only the organization's own keys."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.models import ApiKey
from accounts.services import api_key_authenticate, api_key_create
from accounts.tests.factories import ClientFactory, make_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    actor = make_actor(ClientFactory(name="Acme"), role=Role.CLIENT_ADMIN)
    client.force_login(actor.user)
    return actor


def test_create_a_key_with_chosen_scopes_shown_once(client, admin):
    page = client.get("/api-keys/").content.decode()
    assert 'value="workers:read"' in page and 'value="assignments:write"' in page
    response = client.post(
        "/api-keys/", {"action": "create", "name": "Workday sync", "scopes": ["workers:read", "assignments:write"]}
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.content.decode()
    key = ApiKey.objects.get(name="Workday sync")
    assert key.organization == admin.organization
    assert key.scopes == ["assignments:write", "workers:read"]
    raw = body.split('id="new-api-key">')[1].split("<")[0]
    assert api_key_authenticate(raw_key=raw) == key
    assert raw not in client.get("/api-keys/").content.decode()  # shown only once


def test_bad_input_is_refused_and_creates_nothing(client, admin):
    response = client.post("/api-keys/", {"action": "create", "name": "No scopes"})
    assert response.status_code == 400 and "Choose at least one scope." in response.content.decode()
    response = client.post("/api-keys/", {"action": "create", "name": "Odd", "scopes": ["everything:write"]})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_list_shows_last_use_and_revoke_stops_the_key(client, admin):
    key, raw = api_key_create(organization=admin.organization, name="Payroll bridge", scopes=["workers:read"])
    api_key_authenticate(raw_key=raw)
    page = client.get("/api-keys/").content.decode()
    assert "Payroll bridge" in page and "never" not in page.split("Payroll bridge")[1].split("</tr>")[0]
    response = client.post("/api-keys/", {"action": "revoke", "api_key": str(key.id)}, follow=True)
    assert "is revoked" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api_key_authenticate(raw_key=raw) is None


def test_another_organization_cannot_see_or_revoke_the_key(client, admin):
    other = make_actor(ClientFactory(name="Globex"), role=Role.CLIENT_ADMIN)
    theirs, _ = api_key_create(organization=other.organization, name="Globex HRIS", scopes=["workers:read"])
    assert "Globex HRIS" not in client.get("/api-keys/").content.decode()
    response = client.post("/api-keys/", {"action": "revoke", "api_key": str(theirs.id)}, follow=True)
    assert "No such key" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_a_hiring_manager_gets_a_refusal_that_says_why(client, admin):
    manager = make_actor(admin.organization, role=Role.HIRING_MANAGER)
    client.force_login(manager.user)
    response = client.get("/api-keys/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only an admin of your organization manages API keys" in body and 'href="/"' in body
    assert client.post("/api-keys/", {"action": "create", "name": "x", "scopes": ["workers:read"]}).status_code == 403
    assert not ApiKey.objects.exists()


def test_query_count_does_not_grow_with_keys(client, admin):
    api_key_create(organization=admin.organization, name="one", scopes=["workers:read"])
    client.get("/api-keys/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api-keys/")
    for n in range(6):
        api_key_create(organization=admin.organization, name=f"key {n}", scopes=["workers:read"], created_by=admin.user)
    with CaptureQueriesContext(connection) as many:
        client.get("/api-keys/")
    assert len(many) == len(few)
