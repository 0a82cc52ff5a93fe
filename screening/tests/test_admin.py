"""The admin cannot open the onboarding gate or rewrite scores around the services (issue #3 §6)."""

import pytest

from accounts.tests.factories import UserFactory, login_with_second_factor
from screening.selectors import worker_passes_gate
from workers import services as worker_services
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    login_with_second_factor(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def _passed(world):
    world.passed()
    return world.screening


def test_admin_cannot_link_a_passed_candidate_to_a_worker(world, staff_client):
    _passed(world)
    worker = WorkerFactory(client=world.client, provider=world.provider, status="onboarding")
    page = staff_client.get(f"/admin/screening/candidate/{world.candidate.id}/change/").content.decode()
    assert 'name="worker"' not in page
    staff_client.post(
        f"/admin/screening/candidate/{world.candidate.id}/change/",
        {
            "client": str(world.client.id),
            "external_id": "",
            "first_name": world.candidate.first_name,
            "last_name": world.candidate.last_name,
            "email": world.candidate.email,
            "country": world.candidate.country,
            "worker": str(worker.id),
        },
    )
    world.candidate.refresh_from_db()
    assert world.candidate.worker_id is None
    assert not worker_passes_gate(worker=worker)


def test_admin_cannot_move_a_screening_to_another_candidate_or_template(world, staff_client):
    page = staff_client.get(f"/admin/screening/screening/{world.screening.id}/change/").content.decode()
    for field in ("candidate", "template", "client", "provider", "stage", "decision_notes"):
        assert f'name="{field}"' not in page


def test_admin_cannot_edit_scores_or_check_items(world, staff_client):
    world.score()
    result = world.screening.assessments.first()
    page = staff_client.get(f"/admin/screening/assessmentresult/{result.id}/change/").content.decode()
    assert 'name="raw_score"' not in page and 'name="normalized_score"' not in page
    item = world.screening.checklist_items.first()
    page = staff_client.get(f"/admin/screening/checklistitem/{item.id}/change/").content.decode()
    assert 'name="checked"' not in page
    page = staff_client.get(f"/admin/screening/screening/{world.screening.id}/change/").content.decode()
    assert 'name="assessments-0-raw_score"' not in page
    assert 'name="checklist_items-0-checked"' not in page


def test_a_passed_screening_at_another_client_does_not_open_the_gate(world):
    """A candidate record belongs to one client; its passed screening opens the gate only for that
    client's worker, however the two rows came to be linked."""
    _passed(world)
    foreign = WorkerFactory(client=world.other_client, provider=world.provider, status="onboarding")
    world.candidate.worker = foreign
    world.candidate.save()
    assert not worker_passes_gate(worker=foreign)
    with pytest.raises(Exception, match="no passed screening"):
        worker_services.worker_activate(actor=world.other_admin, worker=foreign)
    foreign.refresh_from_db()
    assert foreign.status == "onboarding"


def test_screening_admin_pages_open(world, staff_client):
    world.score()
    for url in (
        "/admin/screening/screening/",
        f"/admin/screening/screening/{world.screening.id}/change/",
        "/admin/screening/candidate/",
        "/admin/screening/assessmentresult/",
        "/admin/screening/checklistitem/",
        "/admin/screening/interviewscorecard/",
    ):
        assert staff_client.get(url).status_code == 200, url


def _template_form(world, **changes):
    data = {
        "client": str(world.client.id),
        "name": "Data engineer",
        "role_title": "Data engineer",
        "methods": '[{"method": "work_sample", "weight": 1}]',
        "pass_threshold": "60",
        "min_cefr": "{}",
        "interview_kit": "[]",
        "is_active": "on",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"methods": '[{"method": "work_sample", "weight": "abc"}]'}, "must be a positive number"),
        ({"methods": '[{"method": "palm_reading", "weight": 1}]'}, "Unknown method"),
        ({"min_cefr": '{"speaking": "Z9"}'}, "levels A1–C2"),
        ({"methods": '[{"method": "structured_interview", "weight": 1}]'}, "needs its kit"),
        ({"pass_threshold": "150"}, "0 and 100"),
    ],
)
def test_admin_template_form_applies_the_template_rules(world, staff_client, changes, message):
    """A template saved through the admin obeys the same rules as the service: a bad weight would
    otherwise break every screening page that computes the composite."""
    from screening.models import ScreeningTemplate

    response = staff_client.post("/admin/screening/screeningtemplate/add/", _template_form(world, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ScreeningTemplate.objects.filter(name="Data engineer").exists()


def test_admin_template_form_saves_a_valid_template(world, staff_client):
    from screening.models import ScreeningTemplate

    response = staff_client.post("/admin/screening/screeningtemplate/add/", _template_form(world))
    assert response.status_code == 302
    assert ScreeningTemplate.objects.filter(name="Data engineer", client=world.client).exists()


def test_admin_can_still_delete_a_candidate_with_everything_under_it(world, staff_client):
    """Read-only results and checklist items must not block an operator erasing a candidate's data."""
    from screening.models import AssessmentResult, Candidate, ChecklistItem

    world.score()
    response = staff_client.post(f"/admin/screening/candidate/{world.candidate.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Candidate.objects.filter(pk=world.candidate.pk).exists()
    assert not AssessmentResult.objects.exists() and not ChecklistItem.objects.exists()
