"""The assignment form helps the person filling it in (issue 11, points 4 and 6): its worker list
leaves out offboarded workers and marks those already placed, and each fact of direction says why it
decides misclassification."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assignments.tests.factories import AssignmentFactory
from workers.choices import WorkerStatus
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_url(world, client):
    client.force_login(world["admin_a"].user)
    return f"/teams/{world['team_a'].id}/assignments/new/"


def _worker_options(body: str) -> list[str]:
    select = re.search(r'<select name="worker"[^>]*>(.*?)</select>', body, re.S).group(1)
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)]


def test_worker_list_leaves_out_offboarded_and_marks_placed_workers(world, client, form_url):
    WorkerFactory(
        client=world["client_a"],
        provider=world["provider"],
        first_name="Gone",
        status=WorkerStatus.OFFBOARDED,
        exit_date=dt.date(2026, 6, 30),
    )
    free = WorkerFactory(client=world["client_a"], provider=world["provider"], first_name="Free", last_name="Zz")
    AssignmentFactory(worker=world["worker_a"], team=world["team_a"], starts_on=dt.date(2026, 1, 1))
    # An assignment that has ended does not count as placed.
    AssignmentFactory(worker=free, team=world["team_a"], starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 6, 30))
    options = _worker_options(client.get(form_url).content.decode())
    assert not any("Gone" in option for option in options)
    assert not any("Bob Brown" in option for option in options)  # another client's worker
    assert "Ada Lovelace — already placed on Platform" in options
    assert "Free Zz" in options
    # Not yet placed first: the likely choice is on top.
    assert options.index("Free Zz") < options.index("Ada Lovelace — already placed on Platform")


def test_worker_list_costs_the_same_queries_for_more_workers(world, client, form_url):
    client.get(form_url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(form_url).status_code == 200
    for worker in WorkerFactory.create_batch(5, client=world["client_a"], provider=world["provider"]):
        AssignmentFactory(worker=worker, team=world["team_a"], starts_on=dt.date(2026, 1, 1))
    with CaptureQueriesContext(connection) as many:
        assert client.get(form_url).status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("field", "why"),
    [
        ("directed_by", "misclassification"),
        ("schedule_set_by_client", "test of employment"),
        ("equipment_provided_by_client", "signs of employment"),
        ("weekly_hours", "point to employment"),
        ("manager", "directs the work"),
    ],
)
def test_each_fact_of_direction_says_why_it_matters(client, form_url, field, why):
    body = client.get(form_url).content.decode()
    helptext = re.search(rf'<span class="helptext" id="id_{field}_helptext">(.*?)</span>', body, re.S)
    assert helptext, field
    assert why in helptext.group(1)
    assert f'aria-describedby="id_{field}_helptext"' in body  # read out with the control
