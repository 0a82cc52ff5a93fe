"""The risk board's tenant-wide aggregates (the navigation's open-flag count on every page, the
provider filter's parties, the retention chart) are cached under the organization's data version
(outstaff/dataversion.py): a committed write through a service, a bulk update or raw SQL is on the
next page; another tenant's write neither changes nor shows on it; the chart's one-query overall is
the overall `retention_cohorts` sums from its groups.

`flush_pending()` does what COMMIT does to the versions (the suite runs each test in a transaction);
without it a read after the test's own writes is computed, never cached."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import ClientFactory, make_actor
from outstaff.dataversion import flush_pending
from providers.tests.factories import ProviderFactory
from risks import retention, selectors
from risks.models import RiskFlag
from risks.services.flags import risk_flag_acknowledge, risk_flag_resolve
from risks.tests.factories import RiskFlagFactory
from workers.services import worker_offboard
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    today = timezone.localdate()
    acme, other = ClientFactory(name="Acme"), ClientFactory(name="Other")
    north, south = ProviderFactory(legal_name="North GmbH"), ProviderFactory(legal_name="South Ltd")
    workers = [
        WorkerFactory(client=acme, provider=north, start_date=today - dt.timedelta(days=days))
        for days in (30, 150, 200)
    ]
    RiskFlagFactory(worker=workers[0])
    RiskFlagFactory(worker=WorkerFactory(client=other, provider=south))
    flush_pending()  # as if the set-up had committed: the reads below are cached
    return {
        "acme": acme,
        "other": other,
        "north": north,
        "south": south,
        "workers": workers,
        "admin": make_actor(acme, role=Role.CLIENT_ADMIN),
        "other_admin": make_actor(other, role=Role.CLIENT_ADMIN),
        "today": today,
    }


def _counts(actor):
    summary = selectors.risk_board_summary(actor=actor)
    return summary["open_count"], selectors.risk_flag_counterparties(actor=actor, party_ids=summary["party_ids"])


def test_a_committed_flag_write_is_on_the_next_read_and_never_on_another_tenants(world):
    admin, other_admin = world["admin"], world["other_admin"]
    north = (world["north"].organization_id, "North GmbH")
    assert _counts(admin) == (1, [north])
    with CaptureQueriesContext(connection) as warm:
        assert _counts(admin) == (1, [north])
    assert not [q for q in warm if "risks_riskflag" in q["sql"]]  # cached: no flag is read
    other_before = _counts(other_admin)

    RiskFlagFactory(worker=WorkerFactory(client=world["acme"], provider=world["south"]))  # a scan's insert
    flush_pending()
    assert _counts(admin) == (2, [north, (world["south"].organization_id, "South Ltd")])
    assert _counts(other_admin) == other_before

    flag = RiskFlag.objects.get(worker=world["workers"][0])
    risk_flag_acknowledge(actor=admin, flag=flag)  # acknowledged: current, no longer open
    flush_pending()
    assert _counts(admin)[0] == 1
    risk_flag_resolve(
        actor=admin, flag=RiskFlag.objects.get(provider_id=world["south"].organization_id, client=world["acme"])
    )
    flush_pending()
    assert _counts(admin) == (0, [north])

    RiskFlag.objects.filter(client=world["acme"]).update(status="open")  # a bulk write
    flush_pending()
    assert _counts(admin)[0] == 2
    with connection.cursor() as cursor:  # raw SQL
        cursor.execute("UPDATE risks_riskflag SET status = 'dismissed' WHERE client_id = %s", [world["acme"].id])
    flush_pending()
    assert _counts(admin) == (0, [])
    assert _counts(other_admin) == other_before


def test_an_uncommitted_write_is_read_by_its_own_transaction_and_not_cached(world):
    admin = world["admin"]
    for count in (selectors.risk_flag_open_count_cached, lambda actor: _counts(actor)[0]):
        assert count(actor=admin) == 1
    RiskFlagFactory(worker=WorkerFactory(client=world["acme"], provider=world["north"]))
    for count in (selectors.risk_flag_open_count_cached, lambda actor: _counts(actor)[0]):
        assert count(actor=admin) == 2  # this transaction's own write
    flush_pending()
    for count in (selectors.risk_flag_open_count_cached, lambda actor: _counts(actor)[0]):
        assert count(actor=admin) == 2


def test_a_providers_new_legal_name_is_on_the_filter_at_once(world):
    admin = world["admin"]
    assert selectors.risk_flag_counterparties(actor=admin)[0][1] == "North GmbH"
    world["north"].legal_name = "North AG"
    world["north"].save()  # bumps no client's version: the names are read fresh
    assert selectors.risk_flag_counterparties(actor=admin)[0][1] == "North AG"


def test_the_navigation_count_of_every_page_follows_committed_writes(world, client):
    client.force_login(world["admin"].user)
    assert selectors.risk_flag_open_count_cached(actor=world["admin"]) == 1
    RiskFlagFactory(worker=WorkerFactory(client=world["acme"], provider=world["north"]))
    flush_pending()
    assert selectors.risk_flag_open_count_cached(actor=world["admin"]) == 2
    assert 'hx-swap="outerHTML">2</span>' in client.get("/risks/open-count/").content.decode()
    assert 'hx-swap="outerHTML">2</span>' in client.get("/workers/").content.decode()  # the navigation
    assert selectors.risk_flag_open_count_cached(actor=world["other_admin"]) == 1


def _chart(cohorts):
    return [(c.month, c.starters, c.reached_day_90, c.retained, c.early_leavers) for c in cohorts]


def test_the_boards_retention_chart_is_the_reports_overall_and_follows_committed_writes(world):
    def overall(actor):
        return selectors.risk_board_summary(actor=actor)["retention"]

    admin, today = world["admin"], world["today"]
    WorkerFactory(client=world["acme"], provider=world["south"], start_date=today - dt.timedelta(days=120))
    flush_pending()
    other_before = _chart(overall(world["other_admin"]))
    full = retention.retention_cohorts(actor=admin, group_by="client", months=12)
    assert _chart(retention.retention_overall(actor=admin, months=12)) == _chart(full.overall)
    assert sum(c.starters for c in full.overall) == 4
    assert _chart(overall(admin)) == _chart(full.overall)
    assert _chart(overall(admin)) == _chart(full.overall)  # cached

    leaver = world["workers"][1]  # started 150 days ago: leaving on day 60 makes them an early leaver
    worker_offboard(
        actor=admin, worker=leaver, exit_date=leaver.start_date + dt.timedelta(days=59), exit_reason="voluntary"
    )
    flush_pending()
    after = overall(admin)
    assert _chart(after) == _chart(retention.retention_cohorts(actor=admin, group_by="client", months=12).overall)
    assert sum(c.early_leavers for c in after) == 1
    assert _chart(overall(world["other_admin"])) == other_before


def test_the_board_shows_the_cached_counts(world, client):
    client.force_login(world["admin"].user)
    body = client.get("/risks/").content.decode()
    assert "North GmbH" in body and "South Ltd" not in body
    RiskFlagFactory(worker=WorkerFactory(client=world["acme"], provider=world["south"]))
    flush_pending()
    body = client.get("/risks/").content.decode()
    assert "North GmbH" in body and "South Ltd" in body


def test_the_rows_links_are_the_urls_reverse_gives(world, client):
    from django.urls import reverse

    from risks.views import TRANSITIONS

    flag = RiskFlag.objects.get(worker=world["workers"][0])
    client.force_login(world["admin"].user)
    body = client.get("/risks/").content.decode()
    expected = [reverse("workers:detail", args=[flag.worker_id]), reverse("risks:flag-detail", args=[flag.id])]
    expected += [reverse("risks:flag-transition", args=[flag.id, action]) for action in TRANSITIONS]
    for url in expected:
        assert f'"{url}"' in body, url
    detail = client.get(reverse("risks:flag-detail", args=[flag.id])).content.decode()
    assert f'action="{reverse("risks:flag-transition", args=[flag.id, "resolve"])}"' in detail
