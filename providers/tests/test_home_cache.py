"""The provider home's (client, country) group sizes are cached under the provider's data version
(providers.selectors.workforce_groups, outstaff/dataversion.py) when the list is unfiltered: a
committed write to a worker it employs is on the next page, another provider's write neither
changes nor shows on it, and a page served from the cache equals the page computed.

Each test runs in a transaction: `flush_pending()` does what COMMIT does to the versions."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import make_actor
from outstaff.dataversion import flush_pending
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(tenants, client):
    cache.clear()
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    flush_pending()

    def get(**query):
        # The CSRF token is masked afresh on every response.
        page = client.get("/provider/", query).content.decode()
        return re.sub(r'"X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    return get


def group_sizes_queries(captured) -> int:
    return sum('COUNT("workers_worker"."id") AS "n"' in q["sql"] for q in captured)


def test_a_warm_unfiltered_home_reads_the_group_sizes_from_the_cache_and_shows_the_same_page(home):
    computed = home()
    with CaptureQueriesContext(connection) as warm:
        cached = home()
    assert group_sizes_queries(warm) == 0
    assert cached == computed
    # Filtered, the sizes are the filter's: computed every time.
    with CaptureQueriesContext(connection) as filtered:
        home(country="DE")
    assert group_sizes_queries(filtered) == 1


@pytest.mark.parametrize("sort", ["", "-name"])
def test_a_worker_added_or_moved_is_on_the_next_page(tenants, home, sort):
    assert "FR · 1 worker" not in home(sort=sort)
    added = WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"], country="FR")
    flush_pending()
    page = home(sort=sort)
    assert added.full_name in page and "FR · 1 worker<" in page and "DE · 1 worker<" in page
    type(added).objects.filter(pk=tenants["mine"].pk).update(country="FR")  # raw SQL path, no service
    flush_pending()
    page = home(sort=sort)
    assert "FR · 2 workers<" in page and "DE · " not in page


def test_another_providers_workers_neither_show_nor_change_the_cached_sizes(tenants, client, home):
    before = home()
    WorkerFactory(provider=tenants["provider_b"], client=tenants["client_a"], country="FR")
    flush_pending()
    with CaptureQueriesContext(connection) as warm:
        assert home() == before
    assert group_sizes_queries(warm) == 0
    client.force_login(make_actor(tenants["provider_b"].organization).user)
    theirs = client.get("/provider/").content.decode()
    assert tenants["theirs"].full_name in theirs and tenants["mine"].full_name not in theirs
    assert "FR · 1 worker<" in theirs and "DE · 1 worker<" in theirs
