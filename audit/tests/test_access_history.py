"""Webhook endpoints (where an organization's data goes) and team managers (which hiring managers see
which workers) are access changes: each keeps who, when, channel and before → after, readable
through the resource's history endpoint (scoped like the resource) and on the /audit/ page."""

import json

import pytest
from rest_framework.test import APIClient

from accounts.services import api_key_create
from accounts.tests.factories import ClientFactory, make_actor
from assignments.models import Team

pytestmark = pytest.mark.django_db

ENDPOINTS = "/api/v1/webhook-endpoints/"
TEAMS = "/api/v1/teams/"


@pytest.fixture
def world():
    client_a, client_b = ClientFactory(name="Acme"), ClientFactory(name="Rival")
    return {
        "admin_a": make_actor(client_a),
        "hm_1": make_actor(client_a, role="hiring_manager"),
        "hm_2": make_actor(client_a, role="hiring_manager"),
        "admin_b": make_actor(client_b),
        "client_a": client_a,
        "client_b": client_b,
    }


def _session(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _key(organization, scopes) -> APIClient:
    _, raw = api_key_create(organization=organization, name="hris", scopes=scopes)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def test_webhook_endpoint_create_update_rotate_delete_are_audited_without_secrets(client, world):
    api = _key(world["client_a"], ["webhooks:write", "webhooks:read"])
    created = api.post(ENDPOINTS, {"url": "https://hr.example.test/hooks"}, format="json")
    assert created.status_code == 201, created.content
    endpoint_id, first_secret = created.json()["id"], created.json()["secret"]
    assert api.patch(f"{ENDPOINTS}{endpoint_id}/", {"description": "HRIS"}, format="json").status_code == 200
    rotated = api.post(f"{ENDPOINTS}{endpoint_id}/rotate-secret/")
    assert rotated.status_code == 200

    history = api.get(f"{ENDPOINTS}{endpoint_id}/history/")
    assert history.status_code == 200, history.content
    rows = history.json()["results"]
    assert [row["event"] for row in rows] == ["updated", "updated", "created"]
    rotation, update, creation = rows
    assert rotation["changes"]["previous_secret_expires_at"]["old"] is None
    assert rotation["changes"]["previous_secret_expires_at"]["new"]
    assert update["changes"]["description"] == {"old": "", "new": "HRIS"}
    assert creation["changes"]["url"]["new"] == "https://hr.example.test/hooks"
    assert {row["actor"]["kind"] for row in rows} == {"api_key"} and {row["channel"] for row in rows} == {"api"}
    text = json.dumps(rows)
    assert first_secret not in text and rotated.json()["secret"] not in text and "whsec_" not in text

    # Scoped like the resource: another tenant's key, and a key without the webhooks scope.
    assert _key(world["client_b"], ["webhooks:read"]).get(f"{ENDPOINTS}{endpoint_id}/history/").status_code == 404
    assert _key(world["client_a"], ["workers:read"]).get(f"{ENDPOINTS}{endpoint_id}/history/").status_code == 403

    assert api.delete(f"{ENDPOINTS}{endpoint_id}/").status_code == 204
    client.force_login(world["admin_a"].user)
    page = client.get("/audit/?resource=webhook-endpoints")
    body = page.content.decode()
    assert page.status_code == 200 and 'value="webhook-endpoints"' in body
    table = body.split('<table class="audit-log">', 1)[1]
    assert table.count("Webhook endpoint") == 4 and "deleted" in table and "hr.example.test" in table
    assert "whsec_" not in body
    client.force_login(world["admin_b"].user)
    assert "hr.example.test" not in client.get("/audit/").content.decode()
    assert "hr.example.test" not in client.get("/audit/?resource=webhook-endpoints").content.decode()


def test_team_manager_changes_are_audited_on_every_path(client, world):
    hm_1, hm_2 = world["hm_1"].user, world["hm_2"].user
    api = _session(world["admin_a"].user)
    created = api.post(TEAMS, {"name": "Platform", "managers": [str(hm_1.pk)]}, format="json")
    assert created.status_code == 201, created.content
    team_id = created.json()["id"]
    assert api.patch(f"{TEAMS}{team_id}/", {"managers": [str(hm_2.pk)]}, format="json").status_code == 200
    team = Team.objects.get(pk=team_id)
    # Other code paths (the admin, a shell, the reverse side of the relation) are audited too.
    team.managers.add(hm_1)
    hm_1.managed_teams.clear()

    rows = api.get(f"{TEAMS}{team_id}/history/").json()["results"]
    changes = [row["changes"].get("manager_ids") for row in rows]
    both = sorted([str(hm_1.pk), str(hm_2.pk)])
    assert changes[:3] == [
        {"old": both, "new": [str(hm_2.pk)]},
        {"old": [str(hm_2.pk)], "new": both},
        {"old": [str(hm_1.pk)], "new": [str(hm_2.pk)]},
    ]
    assert rows[2]["actor"] == {"kind": "user", "id": str(world["admin_a"].user.pk), "name": rows[2]["actor"]["name"]}
    assert rows[2]["channel"] == "api"
    assert len(rows) == 4 and rows[-1]["event"] == "created"
    assert rows[-1]["changes"]["name"]["new"] == "Platform"
    assert rows[-1]["changes"]["manager_ids"] == {"old": None, "new": [str(hm_1.pk)]}

    assert _session(world["admin_b"].user).get(f"{TEAMS}{team_id}/history/").status_code == 404
    client.force_login(world["admin_a"].user)
    table = client.get("/audit/?resource=teams").content.decode().split('<table class="audit-log">', 1)[1]
    assert "Platform" in table and "managers</strong>" in table
    client.force_login(world["admin_b"].user)
    assert "Platform" not in client.get("/audit/?resource=teams").content.decode()
    assert "Platform" not in client.get("/audit/").content.decode()
