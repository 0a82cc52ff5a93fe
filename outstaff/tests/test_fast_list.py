"""The API lists' fast presentation (outstaff.api.fast) prints exactly what DRF's serializers print,
for every list endpoint and every kind of actor, on the demo data (which has a row of every kind)."""

import json

import pytest
from django.db import transaction
from rest_framework.renderers import JSONRenderer

from demo.services import demo_seed
from outstaff.api import lean, prepared, viewsets
from outstaff.api.renderers import OrjsonRenderer

from .api_lists import list_urls, session_clients

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_seed()
        yield
        transaction.set_rollback(True)


def test_every_api_list_prints_what_drf_prints(seeded, monkeypatch):
    """The instance path (a list the lean path does not understand takes it; lean.py has its own test)."""
    monkeypatch.setattr(prepared, "template_for", lambda *args, **kwargs: None)
    monkeypatch.setattr(lean, "plan_for", lambda *args, **kwargs: None)
    urls = list_urls()
    assert "/api/v1/workers/" in urls and "/api/v1/risk-flags/" in urls
    compared = 0
    for role, client in session_clients():
        for url in urls:
            fast = client.get(url, {"page_size": 500})
            with monkeypatch.context() as patch:
                patch.setattr(viewsets, "fast_many_representation", lambda serializer: serializer.data)
                drf = client.get(url, {"page_size": 500})
            assert fast.status_code == drf.status_code, (role, url)
            if fast.status_code != 200:
                continue
            assert fast.content == drf.content, (role, url)
            compared += len(fast.json()["results"])
    assert compared > 500  # the demo has rows in most lists for each actor


def test_orjson_renderer_writes_drfs_bytes():
    import datetime as dt
    import decimal
    import uuid

    data = {
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "at": dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),
        "on": dt.date(2026, 1, 2),
        "amount": decimal.Decimal("12.50"),
        "text": "Zoë \u2028 line",
        "nested": [{"n": 1, "f": 0.5, "none": None, "yes": True}],
    }
    assert OrjsonRenderer().render(data) == JSONRenderer().render(data)
    assert json.loads(OrjsonRenderer().render(data))["at"] == "2026-01-02T03:04:05.678901Z"


def test_orjson_renderer_writes_a_lean_pages_utc_datetimes_natively_as_drf_does():
    """A lean page (its datetimes all UTC) is written with orjson's own datetimes (OPT_UTC_Z):
    the same bytes as DRF's encoder, microseconds or not, for any year."""
    import datetime as dt

    from rest_framework.response import Response

    flagged = Response()
    flagged.lean_native_datetimes = True
    data = {
        "results": [
            {"at": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "on": dt.date(2026, 1, 2)},
            {"at": dt.datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=dt.UTC), "on": dt.date(5, 1, 2)},
            {"at": dt.datetime(999, 12, 31, 23, 59, 59, 120000, tzinfo=dt.UTC), "on": None},
        ]
    }
    native = OrjsonRenderer().render(data, renderer_context={"response": flagged})
    assert native == JSONRenderer().render(data)
    assert b'"2026-01-02T03:04:05.000007Z"' in native
