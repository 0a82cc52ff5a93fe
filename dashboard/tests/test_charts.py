"""Pictures on the home page (issue 11, point 8): open flags over 12 weeks and the 90-day retention
trend, as inline SVG with the same numbers in a table for screen readers."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import make_actor
from dashboard.charts import open_flags_by_week, retention_trend
from risks.tests.factories import RiskFlagFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def test_open_flags_by_week_counts_what_was_open_at_each_week_end():
    today = timezone.localdate()
    worker = WorkerFactory()
    actor = make_actor(worker.client)
    RiskFlagFactory(worker=worker, first_seen_at=_at(today - dt.timedelta(weeks=5)))
    RiskFlagFactory(
        worker=worker,
        rule_code="checkin_overdue",
        first_seen_at=_at(today - dt.timedelta(weeks=3)),
        resolved_at=_at(today - dt.timedelta(weeks=1, days=1)),
        status="resolved",
    )
    RiskFlagFactory(worker=WorkerFactory())  # another client's
    values = [bar.value for bar in open_flags_by_week(actor=actor, today=today).bars]
    assert len(values) == 12
    assert values[-1] == 1  # this week: the resolved one is gone
    assert values[-3] == 2 and values[-4] == 2  # three and two weeks ago: both open
    assert values[-6] == 1 and values[0] == 0


def test_retention_trend_leaves_incomplete_months_without_a_value():
    today = timezone.localdate()
    worker = WorkerFactory(start_date=today - dt.timedelta(days=10))
    bars = retention_trend(actor=make_actor(worker.client), today=today).bars
    started = next(bar for bar in bars if bar.caption == f"started in {worker.start_date:%B %Y}")
    assert len(bars) == 12 and started.value is None
    assert started.note == "0 of 1 starters have reached day 90"


def test_home_draws_both_charts_with_a_table_of_their_numbers(client):
    worker = WorkerFactory()
    RiskFlagFactory(worker=worker)
    client.force_login(make_actor(worker.client).user)
    body = client.get("/").content.decode()
    assert body.count('<svg viewBox="0 0 600 170" class="chart" aria-hidden="true"') == 2
    assert '<caption class="visually-hidden">Open risk flags, last 12 weeks</caption>' in body
    assert "Still employed on day 90, by start month" in body
    assert "<script" not in body.split("<main")[1].split("</main>")[0]  # no chart library, no inline script
