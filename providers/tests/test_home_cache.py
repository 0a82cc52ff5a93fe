"""The provider home's (client, country) group sizes are cached under the provider's data version
(providers.selectors.workforce_groups, outstaff/dataversion.py) when the list is unfiltered: a
committed write to a worker it employs is on the next page, another provider's write neither
changes nor shows on it, and a page served from the cache equals the page computed. Its cards' counts (compliance items
expiring, failed payroll entries) likewise, through the triggers of payroll entries and compliance
items.

Each test runs in a transaction: `flush_pending()` does what COMMIT does to the versions."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import make_actor
from outstaff.dataversion import data_versions, flush_pending
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


# --- the cards' counts (providers.selectors.provider_home_counts) --------------------------------------
def cards(client) -> tuple[int, int]:
    expiring, failed = re.findall(r'<div class="stat">(\d+)</div>', client.get("/provider/").content.decode())[:2]
    return int(expiring), int(failed)


def test_the_cards_counts_follow_every_write_to_payroll_entries_and_compliance_items(tenants, client, home):
    from django.utils import timezone

    from providers.models import ComplianceItem, PayrollEntry
    from providers.tests.factories import ComplianceItemFactory, PayrollEntryFactory

    soon = timezone.localdate() + dt.timedelta(days=10)
    assert cards(client) == (0, 0)
    with CaptureQueriesContext(connection) as warm:
        assert cards(client) == (0, 0)
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in warm)  # served from the cache
    item = ComplianceItemFactory(worker=tenants["mine"], status="verified", expires_on=soon)
    entry = PayrollEntryFactory(worker=tenants["mine"], status="failed", failure_reason="IBAN")
    flush_pending()
    assert cards(client) == (1, 1)
    PayrollEntry.objects.filter(pk=entry.pk).update(status="paid", failure_reason="")  # raw update
    ComplianceItem.objects.filter(pk=item.pk).update(status="expired")
    flush_pending()
    assert cards(client) == (0, 0)
    PayrollEntry.objects.filter(pk=entry.pk).update(status="failed", failure_reason="IBAN")
    flush_pending()
    assert cards(client) == (0, 1)
    PayrollEntry.objects.filter(pk=entry.pk).delete()
    ComplianceItem.objects.filter(pk=item.pk).update(status="verified")
    flush_pending()
    assert cards(client) == (1, 0)


def test_another_providers_payroll_and_compliance_neither_show_nor_change_the_cards(tenants, client, home):
    from django.utils import timezone

    from providers.tests.factories import ComplianceItemFactory, PayrollEntryFactory

    assert cards(client) == (0, 0)
    soon = timezone.localdate() + dt.timedelta(days=10)
    ComplianceItemFactory(worker=tenants["theirs"], status="verified", expires_on=soon)
    PayrollEntryFactory(worker=tenants["theirs"], status="failed", failure_reason="IBAN")
    versions = data_versions([tenants["provider_a"].organization.id])
    flush_pending()
    assert data_versions([tenants["provider_a"].organization.id]) == versions
    assert cards(client) == (0, 0)
    client.force_login(make_actor(tenants["provider_b"].organization).user)
    assert cards(client) == (1, 1)


def test_a_payroll_or_compliance_write_bumps_the_provider_and_the_workers_client(tenants):
    from providers.tests.factories import ComplianceItemFactory, PayrollEntryFactory

    orgs = [tenants["provider_a"].organization.id, tenants["client_a"].id]
    for write in (
        lambda: PayrollEntryFactory(worker=tenants["mine"], status="paid"),
        lambda: ComplianceItemFactory(worker=tenants["mine"], status="verified"),
    ):
        flush_pending()
        before = [data_versions([org]) for org in orgs]
        write()
        flush_pending()
        after = [data_versions([org]) for org in orgs]
        assert all(b != a for b, a in zip(before, after, strict=True)), (before, after)
    assert data_versions([tenants["client_b"].id]) == data_versions([tenants["client_b"].id])


# --- the body (providers.views.ProviderHomeView.get) ------------------------------------------------
def test_a_warm_home_reads_no_rows_and_every_table_of_its_body_is_invalidated(tenants, client, home):
    from django.utils import timezone

    from providers.models import ComplianceItem, PayrollEntry, PayrollRun
    from providers.tests.factories import ComplianceItemFactory, PayrollEntryFactory, PayrollRunFactory

    today = timezone.localdate()
    run = PayrollRunFactory(provider=tenants["provider_a"], period_start=today.replace(day=1), period_end=today)
    entry = PayrollEntryFactory(run=run, worker=tenants["mine"], status="paid")
    item = ComplianceItemFactory(worker=tenants["mine"], kind="right_to_work", status="verified")
    flush_pending()
    page = home()
    assert "Paid</span>" in page and f"{today:%b %Y}" in page
    with CaptureQueriesContext(connection) as warm:
        assert home() == page
    assert not any("providers_complianceitem" in q["sql"] or "providers_payrollentry" in q["sql"] for q in warm)

    PayrollEntry.objects.filter(pk=entry.pk).update(status="on_hold")
    flush_pending()
    assert "On hold</span>" in home()
    earlier = today.replace(day=1) - dt.timedelta(days=40)
    PayrollRun.objects.filter(pk=run.pk).update(period_start=earlier)
    flush_pending()
    assert f"{earlier:%b %Y}" in home()
    assert "Missing or expired: Right to work" not in home()
    ComplianceItem.objects.filter(pk=item.pk).update(status="expired")
    flush_pending()
    assert "Right to work" in home().split("Missing or expired:")[1]
    type(tenants["client_a"]).objects.filter(pk=tenants["client_a"].pk).update(name="Renamed Client")
    flush_pending()
    assert "<h2>Renamed Client</h2>" in home()


def test_a_filtered_or_odd_query_is_computed_not_cached(tenants, home):
    for query in ({"q": tenants["mine"].last_name}, {"page": "x"}, {"sort": "bogus"}):
        home(**query)
        with CaptureQueriesContext(connection) as again:
            home(**query)
        assert any("providers_complianceitem" in q["sql"] for q in again), query
