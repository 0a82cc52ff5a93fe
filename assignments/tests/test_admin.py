"""The admin of workers, screening, assignments and risks renders with data in it (list_display,
filters and search point at real fields), and audit events are read-only."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.tests.factories import UserFactory, login_with_second_factor
from assignments.tests.factories import AssignmentFactory
from risks.tests.factories import RiskFlagFactory
from screening.tests.factories import AssessmentResultFactory, InterviewScorecardFactory, ScreeningFactory
from workers.tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db

APPS = ("workers", "screening", "assignments", "risks")


@pytest.fixture
def superuser_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    login_with_second_factor(client, user)
    return client


@pytest.fixture
def rows():
    assignment = AssignmentFactory(starts_on=dt.date(2026, 1, 1))
    CheckInFactory(worker=assignment.worker)
    screening = ScreeningFactory(client=assignment.client)
    InterviewScorecardFactory(screening=screening)
    AssessmentResultFactory(screening=screening)
    RiskFlagFactory(worker=assignment.worker, assignment=assignment)
    return assignment


def test_every_model_of_the_four_apps_is_registered():
    from django.apps import apps

    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            assert admin.site.is_registered(model), model


@pytest.mark.parametrize("label", APPS)
def test_changelists_and_search_render(superuser_client, rows, label):
    for model in admin.site._registry:
        if model._meta.app_label != label:
            continue
        url = reverse(f"admin:{label}_{model._meta.model_name}_changelist")
        response = superuser_client.get(url, {"q": "a"} if admin.site._registry[model].search_fields else {})
        assert response.status_code == 200, url
        assert superuser_client.get(url).status_code == 200, url


def test_assignment_change_page_renders_and_events_are_read_only(superuser_client, rows):
    response = superuser_client.get(reverse("admin:assignments_assignment_change", args=[rows.pk]))
    assert response.status_code == 200
    event_model = next(iter(set(type(rows).pgh_event_models.values())))
    model_admin = admin.site._registry[event_model]
    request = response.wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
