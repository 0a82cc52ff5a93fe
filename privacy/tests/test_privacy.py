import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import api_key_create
from accounts.tests.factories import ClientFactory, make_actor
from assignments.tests.factories import AssignmentFactory
from outstaff.models import Tombstone
from providers.models import EmploymentContract, PayrollEntry
from providers.tests.factories import (
    ComplianceItemFactory,
    EmploymentContractFactory,
    PayrollEntryFactory,
    ProviderFactory,
)
from risks.tests.factories import RiskFlagFactory
from screening.models import InterviewScorecard
from screening.tests.factories import CandidateFactory, InterviewScorecardFactory, ScreeningFactory
from workers.models import CheckIn, Worker
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    client_a, client_b = ClientFactory(), ClientFactory()
    provider_a, provider_b = ProviderFactory(), ProviderFactory()
    worker = WorkerFactory(
        client=client_a,
        provider=provider_a,
        first_name="Zofia",
        last_name="Kowalczyk",
        work_email="zofia.kowalczyk@example.test",
        external_id="HR-77",
        status="offboarded",
        exit_date=dt.date(2026, 6, 30),
        exit_reason="voluntary",
        exit_notes="Zofia moved to Gdansk for family reasons",
    )
    other = WorkerFactory(client=client_b, provider=provider_b, last_name="Elsewhere")
    contract = EmploymentContractFactory(worker=worker)
    AssignmentFactory(worker=worker, team__client=client_a, client=client_a, starts_on=dt.date(2026, 1, 20))
    CheckInFactory(worker=worker, notes="Zofia says her manager is great")
    entry = PayrollEntryFactory(worker=worker)
    ComplianceItemFactory(worker=worker, notes="Passport of Zofia checked")
    RiskFlagFactory(worker=worker)
    candidate = CandidateFactory(client=client_a, worker=worker, first_name="Zofia", last_name="Kowalczyk")
    screening = ScreeningFactory(
        client=client_a, candidate=candidate, status="passed", composite_score=77, decision_notes="Strong, Zofia"
    )
    InterviewScorecardFactory(screening=screening, notes="Zofia explained the cache well")
    Worker.objects.filter(pk=worker.pk).update(role_title="Data engineer")  # a second audited version
    return {
        "client_a": client_a,
        "client_b": client_b,
        "provider_a": provider_a,
        "provider_b": provider_b,
        "worker": worker,
        "other": other,
        "contract": contract,
        "entry": entry,
    }


def _key(organization, scopes):
    from rest_framework.test import APIClient

    _, raw = api_key_create(organization=organization, name="privacy", scopes=scopes)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def test_client_export_holds_everything_on_the_person(world):
    worker = world["worker"]
    response = _key(world["client_a"], ["workers:read"]).get(f"/api/v1/workers/{worker.id}/export/")
    assert response.status_code == 200
    doc = response.json()
    assert doc["format"] == "outstaff.worker-export/1"
    assert doc["worker"]["last_name"] == "Kowalczyk" and doc["worker"]["exit_notes"].startswith("Zofia moved")
    for section in ("contracts", "assignments", "check_ins", "payroll_entries", "compliance_items", "risk_flags"):
        assert len(doc[section]) == 1, section
    assert doc["candidates"][0]["email"] == worker.candidate.email
    assert doc["screenings"][0]["composite_score"] == "77.00"
    assert doc["scorecards"][0]["notes"] == "Zofia explained the cache well"
    history = {(row["resource"], row["event"]) for row in doc["history"]}
    assert ("workers", "updated") in history and ("workers", "created") in history
    assert any(row["resource"] == "employment-contracts" for row in doc["history"])
    assert "Elsewhere" not in json.dumps(doc)


def test_provider_export_has_screening_outcomes_but_no_scores(world):
    worker = world["worker"]
    doc = _key(world["provider_a"].organization, ["workers:read"]).get(f"/api/v1/workers/{worker.id}/export/").json()
    assert doc["payroll_entries"] and doc["contracts"]
    assert "scorecards" not in doc and "assessments" not in doc
    text = json.dumps(doc)
    assert "composite_score" not in text and "cache well" not in text and "Strong, Zofia" not in text


def test_export_is_scoped_and_guarded(client, world):
    worker = world["worker"]
    assert _key(world["client_b"], ["workers:read"]).get(f"/api/v1/workers/{worker.id}/export/").status_code == 404
    assert (
        _key(world["provider_b"].organization, ["workers:read"]).get(f"/api/v1/workers/{worker.id}/export/").status_code
        == 404
    )
    assert _key(world["client_a"], ["payroll:read"]).get(f"/api/v1/workers/{worker.id}/export/").status_code == 403
    viewer = make_actor(world["client_a"], role="viewer")
    client.force_login(viewer.user)
    assert client.get(f"/api/v1/workers/{worker.id}/export/").status_code == 403
    assert client.get(f"/privacy/workers/{worker.id}/").status_code == 403
    assert "Personal data: export or erase" not in client.get(f"/workers/{worker.id}/").content.decode()


def test_export_queries_do_not_grow_with_rows(world):
    worker = world["worker"]
    api = _key(world["client_a"], ["workers:read"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/v1/workers/{worker.id}/export/").status_code == 200
        return len(queries)

    count()  # the key's first use records last_used_at
    few = count()
    for _ in range(5):
        CheckInFactory(worker=worker, kind="ad_hoc")
        PayrollEntryFactory(worker=worker)
        CheckIn.objects.filter(worker=worker).update(notes="again")
    assert count() == few


def test_erasure_pseudonymises_and_keeps_what_the_law_requires(world):
    worker = world["worker"]
    api = _key(world["provider_a"].organization, ["workers:write"])
    refused = api.post(f"/api/v1/workers/{worker.id}/erase/", {}, format="json")
    assert refused.status_code == 400 and "why" in json.dumps(refused.json()).lower()
    assert Worker.objects.get(pk=worker.pk).last_name == "Kowalczyk"

    response = api.post(f"/api/v1/workers/{worker.id}/erase/", {"reason": "Request of 2026-11-30"}, format="json")
    assert response.status_code == 200, response.content
    erased = Worker.objects.get(pk=worker.pk)
    assert erased.erased_at is not None
    assert (erased.first_name, erased.work_email, erased.external_id, erased.exit_notes) == (
        "Erased",
        f"erased-{worker.pk.hex}@erased.invalid",
        "",
        "",
    )
    # Nothing of the person is left in free text or in any audit version.
    for model, field in [
        (Worker.pgh_event_model, "last_name"),
        (Worker.pgh_event_model, "exit_notes"),
        (CheckIn.pgh_event_model, "notes"),
        (InterviewScorecard.pgh_event_model, "notes"),
    ]:
        assert not model.objects.filter(**{f"{field}__icontains": "Kowalczyk"}).exists()
        assert not model.objects.filter(**{f"{field}__icontains": "Zofia"}).exists()
    assert CheckIn.objects.get(worker=worker).notes == ""
    candidate = erased.candidate
    assert candidate.last_name.startswith("person ") and "zofia" not in candidate.email
    assert not type(candidate).pgh_event_model.objects.filter(first_name="Zofia").exists()
    screening = candidate.screenings.get()
    assert screening.decision_notes == "[erased]" and screening.composite_score == 77
    assert screening.scorecards.get().notes == ""
    # The scorecard's versions are kept (who rated, when), without the notes about the person.
    versions = InterviewScorecard.pgh_event_model.objects.filter(pgh_obj_id=screening.scorecards.get().pk)
    assert versions.count() >= 2 and set(versions.values_list("notes", flat=True)) == {""}
    assert erased.compliance_items.get().notes == ""
    # Payroll, contracts and the audit trail stay, on the pseudonym.
    assert PayrollEntry.objects.filter(pk=world["entry"].pk, worker=worker).exists()
    assert EmploymentContract.objects.filter(pk=world["contract"].pk).exists()
    last = Worker.pgh_event_model.objects.filter(pgh_obj_id=worker.pk).order_by("-pgh_id").first()
    assert last.pgh_context.metadata["erasure_reason"] == "Request of 2026-11-30"
    assert last.pgh_context.metadata["api_key_name"] == "privacy"
    # The worker left the API, and syncing systems are told so.
    assert Tombstone.objects.filter(resource_type="workers", object_id=worker.pk, external_id="HR-77").exists()
    assert api.get(f"/api/v1/workers/{worker.id}/").status_code == 404
    again = api.post(f"/api/v1/workers/{worker.id}/erase/", {"reason": "twice"}, format="json")
    assert again.status_code == 404


def test_erasure_refuses_someone_still_employed_and_other_tenants(world):
    active = WorkerFactory(client=world["client_a"], provider=world["provider_a"], status="active", last_name="Stays")
    api = _key(world["client_a"], ["workers:write"])
    response = api.post(f"/api/v1/workers/{active.id}/erase/", {"reason": "asked"}, format="json")
    assert response.status_code == 400 and "offboarded" in json.dumps(response.json())
    assert Worker.objects.get(pk=active.pk).last_name == "Stays"
    worker = world["worker"]
    assert (
        _key(world["client_b"], ["workers:write"])
        .post(f"/api/v1/workers/{worker.id}/erase/", {"reason": "x"}, format="json")
        .status_code
        == 404
    )
    assert (
        _key(world["client_a"], ["workers:read"])
        .post(f"/api/v1/workers/{worker.id}/erase/", {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert Worker.objects.get(pk=worker.pk).erased_at is None


def test_page_exports_and_erases_after_confirmation(client, world):
    worker = world["worker"]
    admin = make_actor(world["client_a"])
    client.force_login(admin.user)
    detail = client.get(f"/workers/{worker.id}/").content.decode()
    assert f"/privacy/workers/{worker.id}/" in detail
    page = client.get(f"/privacy/workers/{worker.id}/")
    assert page.status_code == 200 and "Erase personal data" in page.content.decode()
    download = client.get(f"/privacy/workers/{worker.id}/?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    assert json.loads(download.content)["worker"]["last_name"] == "Kowalczyk"

    wrong = client.post(f"/privacy/workers/{worker.id}/", {"reason": "asked", "confirm_name": "Someone Else"})
    assert wrong.status_code == 400 and "to confirm" in wrong.content.decode()
    assert Worker.objects.get(pk=worker.pk).erased_at is None
    done = client.post(f"/privacy/workers/{worker.id}/", {"reason": "asked", "confirm_name": "zofia kowalczyk"})
    assert done.status_code == 302
    assert Worker.objects.get(pk=worker.pk).erased_at is not None
    assert client.get(f"/workers/{worker.id}/").status_code == 404
    # Another tenant's admin never reaches the page.
    client.force_login(make_actor(world["client_b"]).user)
    assert client.get(f"/privacy/workers/{world['worker'].id}/").status_code == 404


def test_erasure_pseudonymises_stored_webhook_payloads_and_csv_imports(world):
    """An undelivered event must not send the erased name later, and a stored CSV import keeps no
    row that names the person; a colleague with the same first name and other tenants stay as they were."""
    from integrations.models import WebhookDelivery, WebhookEvent
    from integrations.tests.factories import WebhookEndpointFactory
    from privacy.services import worker_erase
    from providers.models import CsvImport

    worker = world["worker"]
    about = {
        "id": str(worker.pk),
        "first_name": "Zofia",
        "last_name": "Kowalczyk",
        "work_email": "zofia.kowalczyk@example.test",
        "external_id": "HR-77",
        "exit_notes": "Zofia moved to Gdansk for family reasons",
        "role_title": "Data engineer",
    }
    colleague = {"id": str(world["other"].pk), "first_name": "Zofia", "last_name": "Nowak", "notes": "Zofia N."}
    endpoint = WebhookEndpointFactory(organization=world["client_a"])
    pending = WebhookEvent.objects.create(
        organization=world["client_a"], type="worker.changed", payload={"type": "worker.changed", "data": about}
    )
    WebhookDelivery.objects.create(event=pending, endpoint=endpoint)
    by_email = WebhookEvent.objects.create(
        organization=world["provider_a"].organization,
        type="check_in.changed",
        payload={"data": {"worker": str(worker.pk), "notes": "Call Zofia Kowalczyk at zofia.kowalczyk@example.test"}},
    )
    untouched = {
        "same_first_name": WebhookEvent.objects.create(
            organization=world["client_a"], type="worker.changed", payload={"data": colleague}
        ),
        "other_tenant": WebhookEvent.objects.create(
            organization=world["client_b"], type="worker.changed", payload={"data": {**about, "id": "x"}}
        ),
    }
    header = "worker_external_id,kind,status,expires_on,evidence_reference,notes\n"
    own = CsvImport.objects.create(
        provider=world["provider_a"],
        kind="compliance_items",
        file_name="Zofia Kowalczyk passport.csv",
        content=header + "HR-77,right_to_work,verified,2027-03-31,DOC-778,Passport of Zofia Kowalczyk checked\n"
        "HR-88,right_to_work,verified,2027-03-31,DOC-9,Zofia Nowak's passport\n",
        report=[
            {"index": 0, "line": 2, "key": "HR-77", "changes": {"notes": ["", "Passport of Zofia checked"]}},
            {"index": 1, "line": 3, "key": "HR-88", "changes": {"notes": ["", "Zofia Nowak's passport"]}},
        ],
    )
    elsewhere = CsvImport.objects.create(
        provider=world["provider_b"], kind="compliance_items", file_name="b.csv", content=header + "HR-77,x,y,,,Zofia\n"
    )
    before = {name: event.payload for name, event in untouched.items()}

    worker_erase(actor=make_actor(organization=world["provider_a"].organization), worker=worker, reason="Request")

    pending.refresh_from_db()
    data = pending.payload["data"]
    assert (data["first_name"], data["last_name"]) == ("Erased", f"person {worker.pk.hex[:8]}")
    assert data["work_email"] == f"erased-{worker.pk.hex}@erased.invalid"
    assert (data["external_id"], data["exit_notes"], data["role_title"]) == ("[erased]", "[erased]", "Data engineer")
    by_email.refresh_from_db()
    assert by_email.payload["data"]["notes"] == "[erased]"
    for event in (pending, by_email):
        text = json.dumps(event.payload)
        assert "Zofia" not in text and "Kowalczyk" not in text and "HR-77" not in text
    assert {name: WebhookEvent.objects.get(pk=e.pk).payload for name, e in untouched.items()} == before

    own.refresh_from_db()
    assert own.content == (
        header + "[erased],right_to_work,verified,2027-03-31,DOC-778,[erased]\n"
        "HR-88,right_to_work,verified,2027-03-31,DOC-9,Zofia Nowak's passport\n"
    )
    assert own.file_name == f"Erased person {worker.pk.hex[:8]} passport.csv"
    assert own.report[0] == {"index": 0, "line": 2, "key": "[erased]", "changes": {"notes": ["", "[erased]"]}}
    assert own.report[1]["changes"] == {"notes": ["", "Zofia Nowak's passport"]}
    elsewhere.refresh_from_db()
    assert elsewhere.content == header + "HR-77,x,y,,,Zofia\n"
