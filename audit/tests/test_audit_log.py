import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import api_key_create, api_key_revoke, membership_create
from accounts.tests.factories import ClientFactory, UserFactory, login_with_second_factor, make_actor
from providers.tests.factories import PayrollRunFactory, ProviderFactory
from workers.models import Worker
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    client_a, client_b = ClientFactory(name="Acme Audit"), ClientFactory(name="Other Audit")
    provider_a, provider_b = ProviderFactory(), ProviderFactory()
    mine = WorkerFactory(client=client_a, provider=provider_a, last_name="Mineowner")
    theirs = WorkerFactory(client=client_b, provider=provider_b, last_name="Theirowner")
    return {
        "client_a": client_a,
        "client_b": client_b,
        "provider_a": provider_a,
        "provider_b": provider_b,
        "mine": mine,
        "theirs": theirs,
        "admin_a": make_actor(client_a),
        "admin_b": make_actor(client_b),
        "provider_admin_a": make_actor(provider_a.organization),
    }


def _table(response) -> str:
    """The log's rows, without the filter form (which lists every member and key by name)."""
    return response.content.decode().split('<table class="audit-log">', 1)[1]


def _rename(worker, title):
    Worker.objects.filter(pk=worker.pk).update(role_title=title)


def test_client_admin_sees_its_own_changes_only(client, world):
    _rename(world["mine"], "Mine renamed")
    _rename(world["theirs"], "Theirs renamed")
    client.force_login(world["admin_a"].user)
    response = client.get("/audit/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mine renamed" in body and "Backend engineer → Mine renamed" in body
    assert "Theirs renamed" not in body and "Theirowner" not in body
    client.force_login(world["admin_b"].user)
    body = client.get("/audit/").content.decode()
    assert "Theirs renamed" in body and "Mine renamed" not in body


def test_provider_admin_sees_its_payroll_and_the_workers_it_employs(client, world):
    PayrollRunFactory(provider=world["provider_a"], country="PL")
    PayrollRunFactory(provider=world["provider_b"], country="FR")
    client.force_login(world["provider_admin_a"].user)
    # The rows only: a random CSRF token in the page may hold any two letters.
    body = _table(client.get("/audit/?resource=payroll-runs"))
    assert "PL" in body and "FR" not in body
    assert "Mineowner" in client.get("/audit/?resource=workers").content.decode()
    # Screening versions carry scores: not offered to a provider.
    assert 'value="screenings"' not in client.get("/audit/").content.decode()


def test_access_changes_are_logged_and_filterable_by_who(client, world):
    admin = world["admin_a"]
    key, _ = api_key_create(organization=world["client_a"], name="hris-sync", scopes=["workers:read"])
    api_key_revoke(actor=admin, api_key=key)
    membership_create(user=UserFactory(email="newhire@acme.example"), organization=world["client_a"], role="viewer")
    # With a second factor: the admin requires it for the organization below.
    login_with_second_factor(client, admin.user)
    body = client.get("/audit/?resource=api-keys").content.decode()
    assert "hris-sync" in body and "revoked_at" in body
    assert "newhire" not in body
    members = client.get("/audit/?resource=memberships").content.decode()
    assert "viewer" in members
    # Another organization's keys never show, filter or not.
    api_key_create(organization=world["client_b"], name="their-key", scopes=["workers:read"])
    assert "their-key" not in client.get("/audit/").content.decode()
    # Filter by who: a change through the page by the admin is theirs; the trigger-only rows are not.
    client.post("/account/two-factor/", {"action": "require"})
    mine = _table(client.get(f"/audit/?who=user:{admin.user.id}"))
    assert "require_two_factor" in mine and "hris-sync" not in mine
    by_key = _table(client.get(f"/audit/?who=key:{key.id}"))
    assert "require_two_factor" not in by_key


def test_filters_by_date_and_refuses_a_reversed_range(client, world):
    _rename(world["mine"], "Dated change")
    client.force_login(world["admin_a"].user)
    today = timezone.localdate()
    assert "Dated change" in client.get(f"/audit/?since={today}&until={today}").content.decode()
    tomorrow = today + dt.timedelta(days=1)
    assert "Dated change" not in client.get(f"/audit/?since={tomorrow}").content.decode()
    bad = client.get(f"/audit/?since={tomorrow}&until={today}")
    assert bad.status_code == 200 and "must be on or before" in bad.content.decode()


def test_only_admins_read_the_log(client, world):
    viewer = make_actor(world["client_a"], role="viewer")
    client.force_login(viewer.user)
    assert client.get("/audit/").status_code == 403
    client.logout()
    assert client.get("/audit/").status_code == 302


def test_the_log_pages_with_constant_queries(client, world):
    client.force_login(world["admin_a"].user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/audit/").status_code == 200
        return len(queries)

    for n in range(3):
        _rename(world["mine"], f"Few {n}")
    few = count()
    for n in range(60):
        worker = WorkerFactory(client=world["client_a"], provider=world["provider_a"])
        _rename(worker, f"Many {n}")
    PayrollRunFactory(provider=world["provider_a"])
    many = count()
    assert many <= few + 2  # +2: a second page exists, and one more audited table is on the page
    page2 = client.get("/audit/?page=2")
    assert page2.status_code == 200 and "Page 2 of" in page2.content.decode()
