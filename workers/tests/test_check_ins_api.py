import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/check-ins/"


def test_check_ins_are_scoped_to_the_tenant(api_key_client):
    mine = CheckInFactory()
    theirs = CheckInFactory()
    api = api_key_client(mine.worker.client, ["workers:write"])
    assert [row["id"] for row in api.get(URL).json()["results"]] == [str(mine.id)]
    assert api.get(f"{URL}{theirs.id}/").status_code == 404
    response = api.patch(
        f"{URL}{theirs.id}/",
        {"done_on": "2026-02-14", "engagement": 5, "role_clarity": 5, "manager_relationship": 5},
        format="json",
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.done_on is None


def test_record_check_in_through_api_and_bad_rating_is_a_400(api_key_client):
    check_in = CheckInFactory()
    api = api_key_client(check_in.worker.client, ["workers:write"])
    bad = api.patch(f"{URL}{check_in.id}/", {"done_on": "2026-02-14", "engagement": 9}, format="json")
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"engagement"}
    ok = api.patch(
        f"{URL}{check_in.id}/",
        {"done_on": "2026-02-14", "engagement": 4, "role_clarity": 3, "manager_relationship": 5},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["done_on"] == "2026-02-14"


def test_overdue_filter(api_key_client):
    overdue = CheckInFactory(due_on=dt.date(2020, 1, 1))
    CheckInFactory(worker=WorkerFactory(client=overdue.worker.client), due_on=dt.date(2099, 1, 1))
    api = api_key_client(overdue.worker.client, ["workers:read"])
    rows = api.get(URL, {"state": "overdue"}).json()["results"]
    assert [row["id"] for row in rows] == [str(overdue.id)]
    assert rows[0]["is_overdue"] is True


def test_ad_hoc_check_in_for_another_clients_worker_is_refused(api_key_client):
    mine = WorkerFactory()
    theirs = WorkerFactory()
    api = api_key_client(mine.client, ["workers:write"])
    response = api.post(URL, {"worker": str(theirs.id), "due_on": "2026-05-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "worker"
    assert api.post(URL, {"worker": str(mine.id), "due_on": "2026-05-01"}, format="json").status_code == 201


def test_check_in_list_query_count_is_constant(api_key_client):
    first = CheckInFactory()
    api = api_key_client(first.worker.client, ["workers:read"])
    api.get(URL)
    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    for _ in range(10):
        CheckInFactory(worker=WorkerFactory(client=first.worker.client))
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(URL).json()["results"]) == 11
    assert len(many) == len(few)


def test_offboard_action(api_key_client):
    worker = WorkerFactory()
    other = WorkerFactory()
    api = api_key_client(worker.client, ["workers:write"])
    url = f"/api/v1/workers/{worker.id}/offboard/"
    bad = api.post(url, {"exit_date": "2026-03-01", "exit_reason": "bored"}, format="json")
    assert bad.status_code == 400
    ok = api.post(url, {"exit_date": "2026-03-01", "exit_reason": "voluntary"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "offboarded"
    cross = api.post(
        f"/api/v1/workers/{other.id}/offboard/", {"exit_date": "2026-03-01", "exit_reason": "voluntary"}, format="json"
    )
    assert cross.status_code == 404
