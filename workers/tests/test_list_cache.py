"""A client admin's or viewer's unfiltered team list is HTML cached under the client's data version
(workers.views.WorkerListView.get): a committed write to a worker, to the client or to a worker's
provider profile (its legal name) is on the next page; another client's writes neither show nor
change it; a hiring manager's list and filtered lists are computed; the cached page equals the
computed one.

Each test runs in a transaction: `flush_pending()` does what COMMIT does to the versions."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import make_actor
from outstaff.dataversion import data_versions, flush_pending
from providers.models import Provider
from workers.models import Worker
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def page(client, **query) -> str:
    body = client.get("/workers/", query).content.decode()
    return re.sub(r'"X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def reads_workers(captured) -> bool:
    return any('FROM "workers_worker"' in q["sql"] for q in captured)


@pytest.fixture
def setup(client):
    cache.clear()
    mine = WorkerFactory(first_name="Mina")
    theirs = WorkerFactory(first_name="Theo")
    client.force_login(make_actor(mine.client).user)
    flush_pending()
    return {"mine": mine, "theirs": theirs, "client": client}


@pytest.mark.parametrize("query", [{}, {"sort": "-name"}, {"page": "1"}])
def test_a_warm_list_reads_no_worker_rows_and_equals_the_computed_one(setup, query):
    client = setup["client"]
    computed = page(client, **query)
    with CaptureQueriesContext(connection) as warm:
        assert page(client, **query) == computed
    assert not reads_workers(warm)
    assert "Mina" in computed and "Theo" not in computed


def test_every_write_the_list_shows_is_on_the_next_page(setup):
    client, mine = setup["client"], setup["mine"]
    page(client)
    added = WorkerFactory(client=mine.client, provider=mine.provider, first_name="Zoe", role_title="Welder")
    flush_pending()
    assert "Zoe" in page(client) and "Welder" in page(client)
    Worker.objects.filter(pk=added.pk).update(role_title="Rigger")  # a queryset update, no service
    flush_pending()
    assert "Rigger" in page(client) and "Welder" not in page(client)
    Provider.objects.filter(pk=mine.provider_id).update(legal_name="Renamed Provider GmbH")
    flush_pending()
    assert "Renamed Provider GmbH" in page(client)
    Worker.objects.filter(pk=added.pk).update(erased_at=timezone.now())
    flush_pending()
    assert "Zoe" not in page(client)


def test_another_clients_writes_neither_show_nor_bump(setup):
    client, theirs = setup["client"], setup["theirs"]
    before = page(client)
    versions = data_versions([setup["mine"].client_id])
    Worker.objects.filter(pk=theirs.pk).update(role_title="Their secret role")
    WorkerFactory(client=theirs.client, first_name="Otto")
    flush_pending()
    assert data_versions([setup["mine"].client_id]) == versions
    assert page(client) == before
    client.force_login(make_actor(theirs.client).user)
    other = page(client)
    assert "Otto" in other and "Their secret role" in other and "Mina" not in other


def test_a_hiring_manager_and_a_filtered_list_are_computed(setup):
    client, mine = setup["client"], setup["mine"]
    page(client)
    for query in ({"q": "Mina"}, {"page": "x"}, {"sort": "bogus"}):
        page(client, **query)
        with CaptureQueriesContext(connection) as again:
            page(client, **query)
        assert reads_workers(again), query
    client.force_login(make_actor(mine.client, role=Role.HIRING_MANAGER).user)
    flush_pending()
    page(client)
    with CaptureQueriesContext(connection) as manager:
        assert "Mina" not in page(client)  # no team of theirs: an empty list, not the admin's
    assert reads_workers(manager)
