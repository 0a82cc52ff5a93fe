"""A client admin's or viewer's unfiltered risk board is HTML cached below the navigation under the
client's data version (risks.views.RiskBoardView, outstaff.pagecache): a committed write to what
its rows show (the flags, their workers, the providers' legal names, the users who changed a
status, the organization) by a service, a queryset update or raw SQL is on the next page; another
client's writes neither show nor bump; a filtered board, the CSV export and a hiring manager's
board are computed; the cached page equals the computed one, and its triage forms carry the
request's own CSRF token.

Each test runs in a transaction: `flush_pending()` does what COMMIT does to the versions."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.models import Organization, User
from accounts.tests.factories import make_actor
from outstaff.dataversion import data_versions, flush_pending
from outstaff.pagecache import CSRF_PLACEHOLDER
from providers.models import Provider
from providers.services.profile import provider_update
from risks.choices import FlagStatus
from risks.models import RiskFlag
from risks.services.flags import risk_flag_acknowledge
from risks.tests.factories import RiskFlagFactory
from risks.views import RiskBoardView
from workers.models import Worker
from workers.services import worker_update
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db
TOKENS = re.compile(r'"X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"')


def page(client, **query) -> str:
    response = client.get("/risks/", query)
    assert response.status_code == 200
    return TOKENS.sub("", response.content.decode())


def reads_flags(captured) -> bool:
    return any('FROM "risks_riskflag"' in q["sql"] for q in captured)


def raw(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def setup(client):
    cache.clear()
    mine = RiskFlagFactory(worker=WorkerFactory(first_name="Mina"))
    theirs = RiskFlagFactory(worker=WorkerFactory(first_name="Theo"))
    admin = make_actor(mine.client)
    client.force_login(admin.user)
    flush_pending()
    return {"mine": mine, "theirs": theirs, "client": client, "admin": admin}


@pytest.mark.parametrize("query", [{}, {"sort": "-worker"}, {"sort": "since", "page": "1"}])
def test_a_warm_board_reads_no_flag_and_equals_the_computed_one(setup, query, monkeypatch):
    client = setup["client"]
    computed = page(client, **query)
    assert page(client, **query) == computed  # the navigation's count is cached by now too
    with CaptureQueriesContext(connection) as warm:
        assert page(client, **query) == computed
    assert not reads_flags(warm), "\n".join(q["sql"][:200] for q in warm)
    assert "Mina" in computed and "Theo" not in computed
    # The same bytes as the page rendered whole, without the cache (the code before it).
    monkeypatch.setattr(RiskBoardView, "body_cacheable", lambda self, query: False)
    assert page(client, **query) == computed


def test_a_warm_boards_triage_forms_carry_the_requests_own_token(setup):
    client = Client(enforce_csrf_checks=True)
    client.force_login(setup["admin"].user)
    client.get("/risks/")
    warm = client.get("/risks/").content.decode()
    assert CSRF_PLACEHOLDER not in warm
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', warm)
    assert len(tokens) >= 3
    flag = setup["mine"]
    posted = {"csrfmiddlewaretoken": tokens[-1], "next": "/risks/"}
    response = client.post(f"/risks/flags/{flag.id}/acknowledge/", posted)
    assert response.status_code == 302
    assert RiskFlag.objects.get(pk=flag.pk).status == FlagStatus.ACKNOWLEDGED


def test_every_write_the_board_shows_is_on_the_next_page(setup):
    client, flag, admin = setup["client"], setup["mine"], setup["admin"]
    page(client)
    # Flags: a service, a queryset update, raw SQL, a scan's insert.
    risk_flag_acknowledge(actor=admin, flag=flag, note="")
    flush_pending()
    assert '<span class="badge acknowledged">' in page(client)
    RiskFlag.objects.filter(pk=flag.pk).update(evidence={"summary": "Queryset evidence"})
    flush_pending()
    assert "Queryset evidence" in page(client)
    raw("UPDATE risks_riskflag SET status_reason = %s WHERE id = %s", "Raw reason", flag.pk)
    flush_pending()
    assert "Raw reason" in page(client)
    RiskFlagFactory(worker=WorkerFactory(client=flag.client, provider=flag.provider, first_name="Zoe"))
    flush_pending()
    assert "Zoe" in page(client)
    # Workers.
    worker_update(actor=admin, instance=flag.worker, first_name="Minerva")
    flush_pending()
    assert "Minerva" in page(client)
    Worker.objects.filter(pk=flag.worker_id).update(first_name="Mireille")
    flush_pending()
    assert "Mireille" in page(client)
    raw("UPDATE workers_worker SET first_name = %s WHERE id = %s", "Mirabel", flag.worker_id)
    flush_pending()
    assert "Mirabel" in page(client)
    # Providers' legal names.
    provider = Provider.objects.get(pk=flag.provider_id)
    provider_update(actor=make_actor(provider.organization), instance=provider, legal_name="Service GmbH")
    flush_pending()
    assert "Service GmbH" in page(client)
    Provider.objects.filter(pk=flag.provider_id).update(legal_name="Queryset GmbH")
    flush_pending()
    assert "Queryset GmbH" in page(client)
    raw("UPDATE providers_provider SET legal_name = %s WHERE organization_id = %s", "Raw GmbH", flag.provider_id)
    flush_pending()
    assert "Raw GmbH" in page(client)
    # The user who changed the status (their name), and the organization (the heading).
    user = User.objects.get(pk=admin.user.pk)
    user.first_name, user.last_name = "Saved", "Admin"
    user.save()
    flush_pending()
    assert "Saved Admin" in page(client)
    User.objects.filter(pk=user.pk).update(first_name="Queryset")
    flush_pending()
    assert "Queryset Admin" in page(client)
    raw("UPDATE accounts_user SET first_name = %s WHERE id = %s", "Raw", user.pk)
    flush_pending()
    assert "Raw Admin" in page(client)
    Organization.objects.filter(pk=flag.client_id).update(name="Renamed Client")
    flush_pending()
    assert "Risks · Renamed Client" in page(client)


def test_another_clients_writes_neither_show_nor_bump(setup):
    client, theirs = setup["client"], setup["theirs"]
    before = page(client)
    versions = data_versions([setup["mine"].client_id])
    RiskFlag.objects.filter(pk=theirs.pk).update(evidence={"summary": "Their secret"})
    raw("UPDATE workers_worker SET first_name = %s WHERE id = %s", "Otto", theirs.worker_id)
    flush_pending()
    assert data_versions([setup["mine"].client_id]) == versions
    assert page(client) == before
    client.force_login(make_actor(theirs.client).user)
    other = page(client)
    assert "Otto" in other and "Their secret" in other and "Mina" not in other


def test_a_filtered_board_the_csv_and_a_hiring_managers_board_are_computed(setup):
    client, mine = setup["client"], setup["mine"]
    page(client)
    for query in ({"severity": "high"}, {"status": "resolved"}, {"page": "x"}, {"sort": "bogus"}):
        page(client, **query)
        with CaptureQueriesContext(connection) as again:
            page(client, **query)
        assert reads_flags(again), query
    client.get("/risks/", {"format": "csv"})
    with CaptureQueriesContext(connection) as export:
        response = client.get("/risks/", {"format": "csv"})
        content = b"".join(response.streaming_content).decode()
    assert reads_flags(export) and "Mina" in content
    client.force_login(make_actor(mine.client, role=Role.HIRING_MANAGER).user)
    flush_pending()
    page(client)
    with CaptureQueriesContext(connection) as manager:
        assert "Mina" not in page(client)  # no team of theirs
    assert reads_flags(manager)
