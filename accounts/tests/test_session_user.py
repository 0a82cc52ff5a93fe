"""The signed-in user of every page request (accounts/backends.py, accounts.middleware
SessionBackendMiddleware): what a user would notice if it broke is being signed out by a deploy,
staying signed in after being deactivated or after a password change, or a 500 instead of the
login page."""

import uuid

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.backends import DJANGO_MODEL_BACKEND, MODEL_BACKEND, ModelBackend
from accounts.selectors import ACTIVE_ORG_SESSION_KEY
from accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _client_with_session(user, organization, *, backend=MODEL_BACKEND, user_id=None) -> Client:
    """A browser holding a session as the login view leaves it, naming `backend`."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk) if user_id is None else user_id
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[ACTIVE_ORG_SESSION_KEY] = str(organization.id)
    session.create()
    client = Client()
    client.cookies["sessionid"] = session.session_key
    return client


def _signed_in(response) -> bool:
    return response.status_code == 200


def test_a_session_signed_in_before_this_backend_stays_signed_in_and_is_carried_over():
    membership = MembershipFactory()
    client = _client_with_session(membership.user, membership.organization, backend=DJANGO_MODEL_BACKEND)
    assert _signed_in(client.get("/workers/"))
    assert client.session[BACKEND_SESSION_KEY] == MODEL_BACKEND
    assert _signed_in(client.get("/workers/"))


def test_a_session_naming_an_unknown_backend_is_signed_out():
    membership = MembershipFactory()
    client = _client_with_session(membership.user, membership.organization, backend="somewhere.Else")
    response = client.get("/workers/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def _deactivate(user):
    type(user).objects.filter(pk=user.pk).update(is_active=False)


def _change_password(user):
    user.set_password("another-pw-456")
    user.save()


@pytest.mark.parametrize("change", [_deactivate, _change_password], ids=["deactivated", "password changed"])
def test_a_user_deactivated_or_whose_password_changed_elsewhere_is_signed_out_at_the_next_request(change):
    membership = MembershipFactory()
    client = _client_with_session(membership.user, membership.organization)
    assert _signed_in(client.get("/workers/"))
    change(membership.user)
    response = client.get("/workers/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_session_naming_a_user_who_is_gone_is_the_login_page_not_an_error():
    membership = MembershipFactory()
    client = _client_with_session(membership.user, membership.organization, user_id=str(uuid.uuid4()))
    response = client.get("/workers/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_user_is_read_with_one_prepared_statement_and_is_the_right_one():
    first, second = MembershipFactory(), MembershipFactory()
    backend = ModelBackend()
    assert backend.get_user(str(first.user.pk)) == first.user
    assert backend.get_user("not-a-uuid") is None
    with CaptureQueriesContext(connection) as queries:
        user = backend.get_user(second.user.pk)
    assert user == second.user and user.email == second.user.email
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["EXECUTE"]
