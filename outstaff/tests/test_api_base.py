"""The one base viewset: audit channel on every write, allowed methods derived from what a resource
declares, a write that fails leaves nothing behind."""

import pghistory.models
import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import make_actor
from assignments.tests.factories import TeamFactory
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def _session(organization):
    api = APIClient()
    api.force_login(make_actor(organization).user)
    return api


def test_a_session_write_outside_providers_is_labelled_with_the_api_channel():
    worker = WorkerFactory()
    api = _session(worker.provider.organization)
    response = api.patch(f"/api/v1/workers/{worker.id}/", {"role_title": "Staff engineer"}, format="json")
    assert response.status_code == 200, response.content
    event = worker.events.order_by("-pgh_id").first()
    assert event.role_title == "Staff engineer"
    assert pghistory.models.Context.objects.get(id=event.pgh_context_id).metadata["channel"] == "api"


def test_allowed_methods_follow_the_declared_services():
    check_in = CheckInFactory()
    api = _session(check_in.worker.client)
    url = f"/api/v1/check-ins/{check_in.id}/"
    assert api.put(url, {}, format="json").status_code == 405  # partial updates only
    assert api.delete(url).status_code == 405  # no delete service
    team = TeamFactory()
    api = _session(team.client)
    assert api.delete(f"/api/v1/teams/{team.id}/").status_code == 405
    assert api.options(f"/api/v1/teams/{team.id}/")["Allow"] == "GET, PUT, PATCH, HEAD, OPTIONS"


def test_a_refused_write_changes_nothing_and_leaves_no_audit_row():
    worker = WorkerFactory()
    api = _session(worker.provider.organization)
    before = worker.events.count()
    response = api.patch(f"/api/v1/workers/{worker.id}/", {"work_email": "not an email"}, format="json")
    assert response.status_code == 400
    assert worker.events.count() == before
