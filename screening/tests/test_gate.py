"""The onboarding gate (issue #3 §6) on every path that can activate or assign a worker: the workers
service, the assignments API (its service calls screening.selectors.worker_passes_gate), the screening
page action (test_views.py). The gate lives in services, so every caller inherits it."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from screening import services
from screening.selectors import worker_passes_gate
from workers import services as worker_services
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ungated(world):
    return WorkerFactory(client=world.client, provider=world.provider, status="onboarding", start_date=None)


def test_activation_without_a_passed_screening_is_refused(world, ungated):
    with pytest.raises(ValidationError) as error:
        worker_services.worker_activate(actor=world.manager, worker=ungated)
    assert "no passed screening" in " ".join(error.value.message_dict["status"])
    ungated.refresh_from_db()
    assert ungated.status == "onboarding"
    assert not worker_passes_gate(worker=ungated)


def test_a_failed_screening_does_not_open_the_gate(world):
    world.check_all()
    services.screening_decide(actor=world.manager, screening=world.screening, outcome="failed")
    worker = WorkerFactory(client=world.client, provider=world.provider, status="onboarding")
    world.candidate.worker = worker
    world.candidate.save()
    assert not worker_passes_gate(worker=worker)
    with pytest.raises(ValidationError):
        worker_services.worker_activate(actor=world.admin, worker=worker)


def test_hired_passed_candidate_activates(world):
    world.passed()
    world.check_all()
    worker = world.hire()
    assert worker_passes_gate(worker=worker)
    active = worker_services.worker_activate(actor=world.manager, worker=worker)
    assert active.status == "active" and active.start_date is not None
    assert active.check_ins.count() == 3
    assert active.gate_override_reason == ""


def test_client_admin_override_with_reason_is_audited_and_marks_the_worker(world, ungated):
    active = worker_services.worker_activate(
        actor=world.admin, worker=ungated, override_reason="Rehire of a former employee, screened in 2024"
    )
    assert active.status == "active"
    assert active.gate_override_reason == "Rehire of a former employee, screened in 2024"
    assert active.gate_override_by == world.admin.user and active.gate_override_at
    events = apps.get_model("workers", "WorkerEvent").objects.filter(pgh_obj_id=ungated.pk)
    assert events.filter(gate_override_reason__startswith="Rehire").exists()
    assert worker_passes_gate(worker=active)


def test_hiring_manager_cannot_override(world, ungated):
    with pytest.raises(PermissionDenied):
        worker_services.worker_activate(actor=world.manager, worker=ungated, override_reason="Trust me")
    with pytest.raises(PermissionDenied):
        worker_services.worker_gate_override(actor=world.manager, worker=ungated, reason="Trust me")


def test_override_needs_a_written_reason_and_the_workers_own_client(world, ungated):
    with pytest.raises(ValidationError) as error:
        worker_services.worker_gate_override(actor=world.admin, worker=ungated, reason="   ")
    assert "override_reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        worker_services.worker_gate_override(actor=world.other_admin, worker=ungated, reason="Other tenant")
    ungated.refresh_from_db()
    assert ungated.gate_override_reason == ""


def test_override_then_activate_later(world, ungated):
    worker_services.worker_gate_override(actor=world.admin, worker=ungated, reason="Screened by the previous vendor")
    assert worker_services.worker_activate(actor=world.manager, worker=ungated).status == "active"


def _assignment_payload(world, worker):
    team = apps.get_model("assignments", "Team").objects.create(client=world.client, name="Platform")
    return {
        "worker": str(worker.id),
        "team": str(team.id),
        "role": "Backend engineer",
        "starts_on": dt.date.today().isoformat(),
        "weekly_hours": "40",
        "directed_by": "client",
    }


def test_assignment_api_refuses_an_ungated_worker(world, api_key_client):
    worker = WorkerFactory(client=world.client, provider=world.provider, status="active")
    api = api_key_client(world.client, ["assignments:write"])
    response = api.post("/api/v1/assignments/", _assignment_payload(world, worker), format="json")
    assert response.status_code == 400, response.json()
    assert any(e["field"] == "worker" and "screening" in e["message"] for e in response.json()["errors"])
    assert not apps.get_model("assignments", "Assignment").objects.filter(worker=worker).exists()


def test_assignment_api_accepts_a_worker_who_passed(world, api_key_client):
    world.passed()
    world.check_all()
    worker = worker_services.worker_activate(actor=world.manager, worker=world.hire())
    api = api_key_client(world.client, ["assignments:write"])
    response = api.post("/api/v1/assignments/", _assignment_payload(world, worker), format="json")
    assert response.status_code == 201, response.json()


def _linked_ungated_worker(world):
    worker = WorkerFactory(client=world.client, provider=world.provider, status="onboarding")
    world.candidate.worker = worker
    world.candidate.save()
    return worker


def test_api_activation_holds_the_gate(world, api_key_client):
    worker = _linked_ungated_worker(world)
    url = f"/api/v1/screenings/{world.screening.id}/activate/"
    screening_only = api_key_client(world.client, ["screening:write"])
    assert screening_only.post(url, {}, format="json").status_code == 403  # activation needs workers:write
    api = api_key_client(world.client, ["workers:write", "screening:read"])
    refused = api.post(url, {}, format="json")
    assert refused.status_code == 400 and "no passed screening" in refused.json()["errors"][0]["message"]
    assert api.post(url, {"override_reason": "API keys are not client admins"}, format="json").status_code == 403
    worker.refresh_from_db()
    assert worker.status == "onboarding" and worker.gate_override_reason == ""
    admin = APIClient()
    admin.force_login(world.admin.user)
    allowed = admin.post(url, {"override_reason": "Vetted by the previous vendor"}, format="json")
    assert allowed.status_code == 200, allowed.json()
    worker.refresh_from_db()
    assert worker.status == "active" and worker.gate_override_reason == "Vetted by the previous vendor"


def test_api_activation_of_a_hired_passed_candidate(world, api_key_client):
    world.passed()
    world.check_all()
    worker = world.hire()
    api = api_key_client(world.client, ["workers:write", "screening:read"])
    response = api.post(f"/api/v1/screenings/{world.screening.id}/activate/", {}, format="json")
    assert response.status_code == 200
    worker.refresh_from_db()
    assert worker.status == "active"
    other = api_key_client(world.other_client, ["workers:write", "screening:write"])
    assert other.post(f"/api/v1/screenings/{world.screening.id}/activate/", {}).status_code == 404
