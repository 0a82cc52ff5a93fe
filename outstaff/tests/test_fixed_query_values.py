"""Fixed queries of values_list() rows (outstaff/lookups.py), as the risk board's last-scan time and
the provider home's client filter use them: what a reader would notice if it broke is another
organization's clients in the filter, a time off by its time zone, or a missing scan."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from accounts.tests.factories import ClientFactory
from outstaff.lookups import FixedQuery
from providers.tests.factories import ProviderFactory
from workers.models import Worker
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _clients_of(provider_id):
    employs = Worker.objects.filter(provider_id=provider_id, client_id=OuterRef("pk"))
    return Organization.objects.filter(Exists(employs)).order_by("name", "id")


TUPLES = FixedQuery(
    Organization,
    lambda provider_id: _clients_of(provider_id).values_list("id", "name", "created_at"),
    sample=lambda: {"provider_id": uuid.uuid4()},
    prefix="test_values_tuples",
)
FLAT = FixedQuery(
    Organization,
    lambda provider_id: _clients_of(provider_id).values_list("created_at", flat=True),
    sample=lambda: {"provider_id": uuid.uuid4()},
    prefix="test_values_flat",
)


@pytest.fixture
def two_providers():
    acme, globex, initech = ClientFactory(name="Acme"), ClientFactory(name="Globex"), ClientFactory(name="Initech")
    first, second = ProviderFactory(), ProviderFactory()
    WorkerFactory(provider=first, client=acme)
    WorkerFactory(provider=first, client=globex)
    WorkerFactory(provider=second, client=initech)
    return first, second


def test_tuples_and_values_are_what_the_queryset_gives_per_provider(two_providers):
    for provider in two_providers:
        expected = list(_clients_of(provider.pk).values_list("id", "name", "created_at"))
        assert TUPLES(provider_id=provider.pk) == expected
        assert all(isinstance(row, tuple) for row in TUPLES(provider_id=provider.pk))
        assert FLAT(provider_id=provider.pk) == [row[2] for row in expected]
    first, second = two_providers
    assert [name for _, name, _ in TUPLES(provider_id=first.pk)] == ["Acme", "Globex"]
    assert [name for _, name, _ in TUPLES(provider_id=second.pk)] == ["Initech"]


def test_values_come_back_converted_and_prepared(two_providers):
    first, _ = two_providers
    TUPLES(provider_id=first.pk)
    with CaptureQueriesContext(connection) as queries:
        rows = TUPLES(provider_id=first.pk)
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["EXECUTE"]
    assert isinstance(rows[0][0], uuid.UUID)
    assert rows[0][2].tzinfo is not None and rows[0][2].utcoffset() == dt.timedelta(0)


def test_the_risk_boards_last_scan_time_is_the_latest_full_scans():
    from risks.models import RiskScanRun
    from risks.selectors import risk_scan_last_full_finished_at

    assert risk_scan_last_full_finished_at() is None
    now = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
    for hours, scope in ((0, "full"), (5, "full"), (9, "workers")):
        RiskScanRun.objects.create(
            scope=scope, as_of=now.date(), started_at=now, finished_at=now + dt.timedelta(hours=hours)
        )
    assert risk_scan_last_full_finished_at() == now + dt.timedelta(hours=5)
