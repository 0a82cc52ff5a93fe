"""Warn before saving (DESIGN §6, issue #12): a change to an assignment, a contract or a worker's
dates answers with the flags it would open (`risk_preview`), judged by the same rules as the scan;
`?preview=true` saves nothing — no row, no audit version, no webhook event, no rescan."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import ClientFactory
from assignments.models import Assignment
from assignments.tests.factories import AssignmentFactory
from providers.tests.factories import EmploymentContractFactory, LegalEntityFactory
from risks.rules.tenure import add_months
from risks.services import risk_preview, risk_scan_run
from workers.models import Worker
from workers.tests.factories import WorkerFactory

from .conftest import preview_counts as _counts

pytestmark = pytest.mark.django_db


def test_preview_of_extending_a_german_placement_past_18_months_changes_nothing(
    german_placement, api_key_client, django_capture_on_commit_callbacks
):
    placement, today = german_placement["assignment"], german_placement["today"]
    api = api_key_client(german_placement["client"], ["assignments:write"])
    before = _counts()
    extended = (today + dt.timedelta(days=200)).isoformat()
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.patch(f"/api/v1/assignments/{placement.id}/?preview=true", {"ends_on": extended}, format="json")
    assert response.status_code == 200, response.content
    assert response["Risk-Preview"] == "not saved" and "ETag" not in response
    body = response.json()
    assert body["ends_on"] == extended  # the assignment as it would be
    (warning,) = [p for p in body["risk_preview"] if p["rule_code"] == "tenure_cap_approaching"]
    assert warning["change"] == "opens" and warning["severity"] == "medium"
    assert warning["evidence"]["facts"]["cap_date"] == add_months(placement.starts_on, 18).isoformat()
    assert "AÜG §1(1b)" in warning["evidence"]["sources"][0]
    # Nothing saved: no row, no audit version, no outbox event, no flag, no rescan queued.
    assert _counts() == before and callbacks == []
    placement.refresh_from_db()
    assert placement.ends_on == today + dt.timedelta(days=20)


def test_the_same_change_saved_answers_with_the_flags_it_opens(german_placement, api_key_client):
    placement, today = german_placement["assignment"], german_placement["today"]
    api = api_key_client(german_placement["client"], ["assignments:write"])
    extended = today + dt.timedelta(days=200)
    response = api.patch(f"/api/v1/assignments/{placement.id}/", {"ends_on": extended.isoformat()}, format="json")
    assert response.status_code == 200 and "ETag" in response
    assert [p["rule_code"] for p in response.json()["risk_preview"]] == ["tenure_cap_approaching"]
    placement.refresh_from_db()
    assert placement.ends_on == extended
    # A change that keeps the placement under the cap previews nothing.
    calm = api.patch(
        f"/api/v1/assignments/{placement.id}/?preview=true",
        {"ends_on": (today + dt.timedelta(days=10)).isoformat()},
        format="json",
    )
    assert calm.status_code == 200 and calm.json()["risk_preview"] == []


def test_preview_of_a_new_contractor_contract_at_full_time_direction(german_placement, api_key_client):
    worker = german_placement["worker"]
    api = api_key_client(worker.provider.organization, ["contracts:write"])
    before = _counts()
    response = api.post(
        "/api/v1/contracts/?preview=true",
        {
            "worker": str(worker.id),
            "legal_entity": str(german_placement["entity"].id),
            "contract_type": "contractor",
            "engagement_model": "outstaffing",
            "signed_on": german_placement["today"].isoformat(),
            "starts_on": german_placement["today"].isoformat(),
            "weekly_hours": "40.0",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    codes = {p["rule_code"] for p in response.json()["risk_preview"]}
    assert "contractor_full_time_direction" in codes
    assert _counts() == before


def test_preview_of_a_worker_start_date(german_placement, api_key_client):
    """Moving the start date of a new worker: the preview runs the same rules on the new dates."""
    worker = german_placement["worker"]
    api = api_key_client(german_placement["client"], ["workers:write"])
    response = api.patch(
        f"/api/v1/workers/{worker.id}/?preview=true",
        {"start_date": german_placement["today"].isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert "risk_preview" in response.json()
    worker.refresh_from_db()
    assert worker.start_date == add_months(german_placement["today"], -17)


def test_bad_input_with_preview_is_a_400_and_changes_nothing(german_placement, api_key_client):
    placement = german_placement["assignment"]
    api = api_key_client(german_placement["client"], ["assignments:write"])
    before = _counts()
    response = api.patch(f"/api/v1/assignments/{placement.id}/?preview=true", {"ends_on": "2000-01-01"}, format="json")
    assert response.status_code == 400
    assert _counts() == before


def test_another_tenant_cannot_preview_a_change_to_my_assignment(german_placement, api_key_client):
    placement = german_placement["assignment"]
    stranger = api_key_client(ClientFactory(), ["assignments:write"])
    response = stranger.patch(
        f"/api/v1/assignments/{placement.id}/?preview=true", {"ends_on": "2030-01-01"}, format="json"
    )
    assert response.status_code == 404
    assert "risk_preview" not in response.content.decode()


def test_risk_preview_service_reports_escalation_and_skips_what_is_already_flagged():
    """The service compares with current flags: an open flag of the same severity is not news."""
    today = timezone.localdate()
    worker = WorkerFactory(country="GB", start_date=today - dt.timedelta(days=200))
    entity = LegalEntityFactory(provider=worker.provider, country="GB")
    EmploymentContractFactory(
        worker=worker, legal_entity=entity, contract_type="contractor", starts_on=worker.start_date
    )
    AssignmentFactory(
        worker=worker, starts_on=worker.start_date, weekly_hours=Decimal("40"), schedule_set_by_client=False
    )
    (item,) = [p for p in risk_preview(worker_ids=[worker.id]) if p["rule_code"] == "contractor_full_time_direction"]
    assert item["change"] == "opens" and item["severity"] == "high"
    risk_scan_run(worker_ids=[worker.id], today=today)
    assert not [p for p in risk_preview(worker_ids=[worker.id]) if p["rule_code"] == "contractor_full_time_direction"]
    Assignment.objects.filter(worker=worker).update(schedule_set_by_client=True)  # full time and the client's schedule
    (item,) = [p for p in risk_preview(worker_ids=[worker.id]) if p["rule_code"] == "contractor_full_time_direction"]
    assert item["change"] == "escalates" and item["severity"] == "critical"
    assert Worker.objects.filter(id=worker.id).exists()


def test_assignment_page_warns_and_saves_only_when_confirmed(german_placement, client):
    """The edit page: extending the German placement past 18 months shows the warning and saves
    nothing; the same post with the confirmation saves."""
    from accounts.tests.factories import make_actor  # noqa: PLC0415

    placement, today = german_placement["assignment"], german_placement["today"]
    admin = make_actor(german_placement["client"], "client_admin")
    client.force_login(admin.user)
    url = f"/teams/assignments/{placement.id}/edit/"
    data = {
        "team": placement.team_id,
        "role": placement.role,
        "starts_on": placement.starts_on.isoformat(),
        "ends_on": (today + dt.timedelta(days=200)).isoformat(),
        "weekly_hours": "40",
        "directed_by": "client",
    }
    before = _counts()
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "This change raises risk flags" in html
        and "Placement approaching the legal maximum" in html
        and "Save anyway" in html
    )
    assert _counts() == before
    placement.refresh_from_db()
    assert placement.ends_on == today + dt.timedelta(days=20)
    # "Save anyway" confirms the values it warned about; a changed form is checked again.
    changed = {**data, "ends_on": (today + dt.timedelta(days=210)).isoformat()}
    token = response.context["risk_confirmation"]
    again = client.post(url, {**changed, "confirm_risks": token})
    assert again.status_code == 200 and "This change raises risk flags" in again.content.decode()
    assert _counts() == before
    confirmed = client.post(url, {**data, "confirm_risks": token})
    assert confirmed.status_code == 302
    placement.refresh_from_db()
    assert placement.ends_on == today + dt.timedelta(days=200)


def test_another_clients_assignment_page_is_404_even_with_a_preview(german_placement, client):
    from accounts.tests.factories import make_actor  # noqa: PLC0415

    stranger = make_actor(ClientFactory(), "client_admin")
    client.force_login(stranger.user)
    url = f"/teams/assignments/{german_placement['assignment'].id}/edit/"
    assert client.post(url, {"ends_on": "2030-01-01"}).status_code == 404
