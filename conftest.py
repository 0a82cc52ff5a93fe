import pytest
from rest_framework.test import APIClient

from accounts.services import api_key_create


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_key_client():
    """Returns a function making an APIClient authenticated with a fresh key of `organization`."""

    def make(organization, scopes):
        _, raw_key = api_key_create(organization=organization, name="test key", scopes=list(scopes))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        return client

    return make


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, with the second factor staff need for /admin/."""
    from accounts.tests.factories import login_with_second_factor

    login_with_second_factor(client, admin_user)
    return client
