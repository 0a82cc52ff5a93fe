import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import ApiKey
from accounts.services import api_key_create
from accounts.tests.factories import ClientFactory, ProviderOrgFactory, make_actor

pytestmark = pytest.mark.django_db

URL = "/api/v1/api-keys/"


def bearer(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


@pytest.fixture
def orgs():
    return {"a": ClientFactory(), "b": ClientFactory()}


def test_create_returns_the_key_once_and_it_authenticates(orgs, client):
    admin = make_actor(orgs["a"])
    client.force_login(admin.user)
    response = client.post(
        URL, {"name": "Workday", "scopes": ["workers:read", "assignments:write"]}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    raw_key = body["key"]
    assert raw_key.startswith("osk_") and body["prefix"] in raw_key
    assert body["scopes"] == ["assignments:write", "workers:read"]
    assert body["created_by"] == admin.user.email
    assert "key_hash" not in body
    # Shown once: neither the list nor the detail carries it (nor the hash).
    listed = client.get(URL).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert "key" not in listed[0] and "key_hash" not in listed[0]
    detail = client.get(f"{URL}{body['id']}/").json()
    assert "key" not in detail and "key_hash" not in detail
    assert bearer(raw_key).get("/api/v1/workers/").status_code == 200
    stored = ApiKey.objects.get(id=body["id"])
    assert stored.key_hash != raw_key and raw_key not in stored.key_hash


def test_unknown_scope_is_a_400_listing_valid_scopes(orgs, client):
    client.force_login(make_actor(orgs["a"]).user)
    response = client.post(URL, {"name": "Bad", "scopes": ["workers:delete"]}, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "scopes" and "workers:delete" in error["message"] and "workers:read" in error["message"]
    assert not ApiKey.objects.exists()


def test_empty_scopes_and_missing_name_are_400(orgs, client):
    client.force_login(make_actor(orgs["a"]).user)
    response = client.post(URL, {"scopes": []}, content_type="application/json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"name", "scopes"}


def test_revoke_stops_authentication(orgs, client):
    api_key, raw_key = api_key_create(organization=orgs["a"], name="sync", scopes=["workers:read"])
    assert bearer(raw_key).get("/api/v1/workers/").status_code == 200
    client.force_login(make_actor(orgs["a"]).user)
    response = client.post(f"{URL}{api_key.id}/revoke/")
    assert response.status_code == 200
    assert response.json()["is_active"] is False and response.json()["revoked_at"]
    denied = bearer(raw_key).get("/api/v1/workers/")
    assert denied.status_code == 401
    assert denied.json()["title"] == "Authentication required"


def test_delete_revokes_too(orgs, api_key_client):
    target, raw_key = api_key_create(organization=orgs["a"], name="old", scopes=["workers:read"])
    api = api_key_client(orgs["a"], ["api_keys:write"])
    assert api.delete(f"{URL}{target.id}/").status_code == 204
    target.refresh_from_db()
    assert target.revoked_at is not None
    assert bearer(raw_key).get("/api/v1/workers/").status_code == 401


def test_other_organizations_keys_are_invisible_and_untouchable(orgs, api_key_client):
    theirs, their_raw_key = api_key_create(organization=orgs["b"], name="theirs", scopes=["workers:read"])
    api = api_key_client(orgs["a"], ["api_keys:write"])
    ids = {row["id"] for row in api.get(URL).json()["results"]}
    assert str(theirs.id) not in ids
    assert api.get(f"{URL}{theirs.id}/").status_code == 404
    assert api.post(f"{URL}{theirs.id}/revoke/").status_code == 404
    assert api.delete(f"{URL}{theirs.id}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert bearer(their_raw_key).get("/api/v1/workers/").status_code == 200


def test_a_key_cannot_mint_a_more_powerful_key(orgs, api_key_client):
    api = api_key_client(orgs["a"], ["api_keys:write", "workers:read"])
    response = api.post(URL, {"name": "escalate", "scopes": ["workers:write"]}, format="json")
    assert response.status_code == 400
    assert "workers:write" in response.json()["errors"][0]["message"]
    response = api.post(URL, {"name": "narrower", "scopes": ["workers:read"]}, format="json")
    assert response.status_code == 201


def test_roles_and_scopes_without_api_keys_write_cannot_create(orgs, client, api_key_client):
    viewer = make_actor(orgs["a"], role="viewer")
    client.force_login(viewer.user)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"name": "x", "scopes": ["workers:read"]}, content_type="application/json")
    assert response.status_code == 403
    api = api_key_client(orgs["a"], ["api_keys:read"])
    assert api.post(URL, {"name": "x", "scopes": ["workers:read"]}, format="json").status_code == 403
    assert api_key_client(orgs["a"], ["workers:read"]).get(URL).status_code == 403


def test_provider_admin_manages_its_own_keys(client):
    provider = ProviderOrgFactory()
    client.force_login(make_actor(provider).user)
    response = client.post(URL, {"name": "payroll", "scopes": ["payroll:write"]}, content_type="application/json")
    assert response.status_code == 201
    assert ApiKey.objects.get(id=response.json()["id"]).organization == provider


def test_list_query_count_does_not_grow_with_rows(orgs, client):
    admin = make_actor(orgs["a"])
    client.force_login(admin.user)
    api_key_create(organization=orgs["a"], name="one", scopes=["workers:read"], created_by=admin.user)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for index in range(10):
        creator = make_actor(orgs["a"]).user
        api_key_create(organization=orgs["a"], name=f"k{index}", scopes=["workers:read"], created_by=creator)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.json()["results"]) == 11
    assert len(many) == len(few)


def test_filters_active_and_updated_since(orgs, api_key_client):
    api = api_key_client(orgs["a"], ["api_keys:write"])
    old, _ = api_key_create(organization=orgs["a"], name="old", scopes=["workers:read"])
    api.post(f"{URL}{old.id}/revoke/")
    active_ids = {row["id"] for row in api.get(URL, {"active": "true"}).json()["results"]}
    revoked_ids = {row["id"] for row in api.get(URL, {"active": "false"}).json()["results"]}
    assert str(old.id) in revoked_ids and str(old.id) not in active_ids and len(active_ids) == 1
    assert api.get(URL, {"updated_since": "2999-01-01T00:00:00Z"}).json()["results"] == []


def test_a_key_is_looked_up_in_one_query_and_every_change_is_seen_by_the_next_request(orgs):
    """The lookup is not cached: a scope change, a deactivated organization and a revoked key
    answer differently on the very next request."""
    from django.utils import timezone

    from accounts.services import api_key_authenticate

    key, raw = api_key_create(organization=orgs["a"], name="Sync", scopes=["workers:read"])
    client = bearer(raw)
    assert client.get("/api/v1/workers/").status_code == 200  # the last-use write, once a minute
    with CaptureQueriesContext(connection) as queries:
        found = api_key_authenticate(raw_key=raw)
    assert len(queries) == 1
    assert found == key and found.organization == orgs["a"] and found.scopes == ["workers:read"]
    with CaptureQueriesContext(connection) as queries:
        assert found.organization.name == orgs["a"].name  # joined, not fetched again
    assert len(queries) == 0
    assert client.get("/api/v1/assignments/").status_code == 403
    ApiKey.objects.filter(pk=key.pk).update(scopes=["workers:read", "assignments:read"])
    assert client.get("/api/v1/assignments/").status_code == 200
    type(orgs["a"]).objects.filter(pk=orgs["a"].pk).update(is_active=False)
    assert client.get("/api/v1/workers/").status_code == 401
    type(orgs["a"]).objects.filter(pk=orgs["a"].pk).update(is_active=True)
    assert client.get("/api/v1/workers/").status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    assert client.get("/api/v1/workers/").status_code == 401
    assert api_key_authenticate(raw_key=raw + "x") is None
