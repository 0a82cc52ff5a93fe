import pytest
from django.test import override_settings

from accounts.models import LoginFailure
from accounts.tests.factories import ClientFactory, ProviderOrgFactory, UserFactory, make_actor

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_the_product_layout(client):
    response = client.get("/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Log in to Outstaff" in body and "/static/css/app.css" in body
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body


def test_login_with_email_and_password_lands_on_home(client):
    actor = make_actor(ClientFactory(name="Acme"))
    response = client.post("/login/", {"username": actor.user.email, "password": "pw-test-123"}, follow=True)
    assert response.status_code == 200
    assert "Acme" in response.content.decode()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_login_is_throttled_after_repeated_failures(client):
    user = UserFactory()
    make_actor(ClientFactory(), user=user)
    for _ in range(3):
        response = client.post("/login/", {"username": user.email, "password": "wrong"})
        assert "Please enter a correct" in response.content.decode()
    response = client.post("/login/", {"username": user.email, "password": "pw-test-123"})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_successful_login_clears_failures(client):
    user = UserFactory()
    make_actor(ClientFactory(), user=user)
    client.post("/login/", {"username": user.email, "password": "wrong"})
    client.post("/login/", {"username": user.email, "password": "pw-test-123"})
    assert LoginFailure.objects.filter(username=user.email.lower()).count() == 0


def test_logout_is_a_post(client):
    actor = make_actor(ClientFactory())
    client.force_login(actor.user)
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_user_without_membership_gets_404_not_a_crash(client):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 404


def test_switching_organization_only_to_own_memberships(client):
    user = UserFactory()
    acme = ClientFactory(name="Acme Switch")
    remotely = ProviderOrgFactory(name="Remotely Switch")
    stranger = ClientFactory(name="Stranger Org")
    make_actor(acme, user=user)
    make_actor(remotely, user=user)
    client.force_login(user)
    client.post("/switch-organization/", {"organization": str(remotely.id)})
    assert "Provider workspace" in client.get("/").content.decode()
    client.post("/switch-organization/", {"organization": str(stranger.id)})
    body = client.get("/").content.decode()
    assert "Stranger Org" not in body.split("<main")[1]
