"""Every refusal page is the product's own: it says why and links somewhere useful (issue 11,
point 3) — also under DEBUG, where Django would show its technical 404 with every URL pattern."""

import pytest
from django.test import override_settings

from accounts.choices import Role
from accounts.tests.factories import ClientFactory, make_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_manager(client):
    actor = make_actor(ClientFactory(name="Acme"), role=Role.HIRING_MANAGER)
    client.force_login(actor.user)
    return actor


@pytest.mark.parametrize("debug", [False, True])
def test_a_client_on_the_provider_workspace_is_told_why(client, acme_manager, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/provider/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "provider workspace" in body and "Acme is a client" in body
    assert 'href="/workers/"' in body and 'href="/"' in body
    assert "URLconf" not in body and "urlpatterns" not in body.lower()


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_object_gets_the_products_404(client, acme_manager, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/workers/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "No such worker." in body and "Home: what needs you today" in body


def test_a_hiring_manager_on_integrations_is_told_who_can(client, acme_manager):
    response = client.get("/integrations/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only client and provider admins manage integrations." in body and 'href="/"' in body


def test_the_api_keeps_its_problem_details(client, acme_manager):
    response = client.get("/api/v1/workers/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
