"""Lists people can work with (issue 11, point 5): sortable, filtered by the API's FilterSet, and
exported to CSV — streamed, every filtered row, formula-injection-safe, named by worker."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import make_actor
from outstaff.views import csv_safe
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(client):
    first = WorkerFactory(first_name="Ada", last_name="Byron", start_date=dt.date(2025, 3, 1))
    actor = make_actor(first.client)
    client.force_login(actor.user)
    return {"client": first.client, "provider": first.provider, "first": first}


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_streams_every_filtered_row_named_by_worker(client, acme):
    WorkerFactory(client=acme["client"], provider=acme["provider"], first_name="Bo", status="onboarding")
    WorkerFactory(first_name="Stranger")  # another client's
    rows = _csv(client.get("/workers/", {"format": "csv", "status": "active"}))
    assert rows[0][:2] == ["Name", "Work email"]
    names = [row[0] for row in rows[1:]]
    assert names == ["Ada Byron"]
    everyone = [row[0] for row in _csv(client.get("/workers/", {"format": "csv"}))[1:]]
    assert len(everyone) == 2 and any(name.startswith("Bo ") for name in everyone)
    assert not any("Stranger" in name for name in everyone)


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_escaped(client, acme):
    WorkerFactory(client=acme["client"], provider=acme["provider"], first_name="=HYPERLINK(1)", last_name="X")
    WorkerFactory(client=acme["client"], provider=acme["provider"], first_name="@SUM(A1)", last_name="Y")
    rows = _csv(client.get("/workers/", {"format": "csv"}))
    names = {row[0] for row in rows[1:]}
    assert "'=HYPERLINK(1) X" in names and "'@SUM(A1) Y" in names
    assert [csv_safe(v) for v in ("+1", "-1", "\tx", "ok", None)] == ["'+1", "'-1", "'\tx", "ok", ""]


def test_csv_export_costs_the_same_queries_for_more_rows(client, acme):
    client.get("/workers/", {"format": "csv"})
    with CaptureQueriesContext(connection) as few:
        _csv(client.get("/workers/", {"format": "csv"}))
    WorkerFactory.create_batch(15, client=acme["client"], provider=acme["provider"])
    with CaptureQueriesContext(connection) as many:
        rows = _csv(client.get("/workers/", {"format": "csv"}))
    assert len(rows) == 17
    assert len(many) == len(few)


def test_the_page_links_to_the_csv_of_what_it_shows(client, acme):
    body = client.get("/workers/", {"status": "active"}).content.decode()
    assert 'href="?status=active&amp;format=csv"' in body


def test_lists_sort_by_a_column_and_back(client, acme):
    WorkerFactory(client=acme["client"], provider=acme["provider"], first_name="Cy", start_date=dt.date(2026, 5, 1))
    body = client.get("/workers/", {"sort": "-start"}).content.decode()
    assert body.index("Cy ") < body.index("Ada Byron")
    body = client.get("/workers/", {"sort": "start"}).content.decode()
    assert body.index("Ada Byron") < body.index("Cy ")
    assert 'href="?sort=-start"' in body  # the header now reverses it
    assert client.get("/workers/", {"sort": "password"}).status_code == 200  # unknown keys are ignored


def test_check_ins_export_is_scoped(client, acme):
    CheckInFactory(worker=acme["first"])
    CheckInFactory(worker=WorkerFactory(first_name="Stranger"))
    rows = _csv(client.get("/workers/check-ins/", {"format": "csv"}))
    assert [row[0] for row in rows[1:]] == ["Ada Byron"]
