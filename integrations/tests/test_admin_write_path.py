"""One write path per resource, admin included (issue 8 point 2): the Django admin's add and change
forms of the synced resources write through the same services as the single API, bulk and CSV, so
a rule enforced on one is enforced on all — with the audit channel "admin", the event carrying the
change and the rescan — and a form saved unchanged is silent. Deleting in the admin leaves the
tombstone and asks for the worker's rescan."""

import datetime as dt
from html.parser import HTMLParser

import pghistory.models
import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import ClientFactory, UserFactory, login_with_second_factor
from assignments.models import Assignment
from assignments.tests.conftest import pass_screening
from assignments.tests.factories import AssignmentFactory, TeamFactory
from integrations.models import WebhookEvent
from integrations.tests.factories import WebhookEndpointFactory
from outstaff.models import Tombstone
from providers import csv_import
from providers.models import ComplianceItem, EmploymentContract
from providers.tests.factories import ComplianceItemFactory, LegalEntityFactory, ProviderFactory
from risks.models import PendingRescan
from workers.models import Worker
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """The values a browser would submit from the admin page's main form."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values.setdefault(name, []).append(attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data.lstrip("\n") if not self.values[self._textarea][0] else data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def _submit(browser, url, **changes):
    page = browser.get(url)
    assert page.status_code == 200, page.status_code
    form = _Form()
    form.feed(page.content.decode())
    data = {name: values if len(values) != 1 else values[0] for name, values in form.values.items()}
    data = {name: value for name, value in data.items() if value != []}
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return browser.post(url, data)


def _errors(response) -> str:
    assert response.status_code == 200, f"expected the form again with errors, got {response.status_code}"
    return response.content.decode()


@pytest.fixture
def staff(client):
    login_with_second_factor(client, UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def world():
    provider = ProviderFactory()
    client_org = ClientFactory()
    worker = WorkerFactory(provider=provider, client=client_org, external_id="W-1", country="DE")
    item = ComplianceItemFactory(worker=worker, provider=provider, kind="right_to_work", external_id="CI-1")
    entity = LegalEntityFactory(provider=provider, country="DE")
    WebhookEndpointFactory(organization=provider.organization)
    WebhookEndpointFactory(organization=client_org)
    return {"provider": provider, "client": client_org, "worker": worker, "item": item, "entity": entity}


def _no_secrets_in_notes(self):
    # A stand-in for any rule a model holds in clean(): the test adds it, then tries every path.
    if "password" in (self.notes or "").lower():
        raise ValidationError({"notes": "Do not put passwords in notes."})


def test_a_model_rule_holds_on_the_single_api_bulk_csv_and_admin(world, staff, api_key_client, monkeypatch):
    from accounts.tests.factories import make_actor

    monkeypatch.setattr(ComplianceItem, "clean", _no_secrets_in_notes)
    item, bad = world["item"], "the portal password is hunter2"
    api = api_key_client(world["provider"].organization, ["compliance:write"])
    single = api.patch(f"/api/v1/compliance-items/{item.id}/", {"notes": bad}, format="json")
    assert single.status_code == 400
    bulk = api.post("/api/v1/compliance-items/bulk/", {"items": [{"external_id": "CI-1", "notes": bad}]}, format="json")
    assert bulk.json()["results"][0]["action"] == "error"
    job = csv_import.csv_import_create(
        actor=make_actor(world["provider"].organization, role="compliance_officer"),
        kind="compliance_items",
        file_name="c.csv",
        content=f"external_id,notes\nCI-1,{bad}\n",
    )
    assert csv_import.csv_import_check(import_id=job.pk).error_rows == 1
    url = f"/admin/providers/complianceitem/{item.id}/change/"
    assert "Do not put passwords in notes." in _errors(_submit(staff, url, notes=bad))
    item.refresh_from_db()
    assert item.notes == ""

    # Without the rule the admin's save goes through the service: audited as "admin", announced.
    monkeypatch.undo()
    WebhookEvent.objects.all().delete()
    response = _submit(staff, url, notes=bad)
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.notes == bad
    audit = pghistory.models.Events.objects.filter(pgh_obj_model="providers.ComplianceItem", pgh_obj_id=str(item.pk))
    [update] = audit.filter(pgh_label="update")
    assert update.pgh_context["channel"] == "admin" and set(update.pgh_diff) == {"notes", "updated_at"}
    changed = WebhookEvent.objects.filter(type="compliance_item.changed")
    assert changed.count() == 2 and {e.payload["data"]["changed_fields"][0] for e in changed} == {"notes"}


def test_an_admin_contract_add_holds_the_services_rules(world, staff):
    url = "/admin/providers/employmentcontract/add/"
    terms = {
        "provider": str(world["provider"].pk),
        "worker": str(world["worker"].pk),
        "legal_entity": str(world["entity"].pk),
        "contract_type": "employment",
        "engagement_model": "unspecified",
        "starts_on": "2026-03-01",
        "weekly_hours": "40",
    }
    assert "end" in _errors(_submit(staff, url, **terms, ends_on="2026-02-01")).lower()
    assert not EmploymentContract.objects.exists()
    # Another provider's worker: the service's scoping refuses it, as on the API.
    stranger = {**terms, "worker": str(WorkerFactory().pk)}
    assert "not employed by this provider" in _errors(_submit(staff, url, **stranger))
    assert not EmploymentContract.objects.exists()
    # Record reality: an unspecified engagement model is accepted, as on every other path.
    response = _submit(staff, url, **terms)
    assert response.status_code == 302, response.content.decode()[:3000]
    contract = EmploymentContract.objects.get()
    assert contract.provider_id == world["provider"].pk and contract.engagement_model == "unspecified"
    assert WebhookEvent.objects.filter(type="contract.changed", payload__data__change="created").exists()


def test_an_admin_assignment_holds_the_gate_and_the_overlap(world, staff):
    worker, client_org = world["worker"], world["client"]
    team = TeamFactory(client=client_org)
    url = "/admin/assignments/assignment/add/"
    fields = {
        "client": str(client_org.pk),
        "worker": str(worker.pk),
        "team": str(team.pk),
        "role": "Engineer",
        "starts_on": "2026-02-01",
        "weekly_hours": "40",
        "directed_by": "client",
    }
    assert "no passed screening" in _errors(_submit(staff, url, **fields))
    assert not Assignment.objects.exists()
    pass_screening(worker)
    AssignmentFactory(worker=worker, team=team, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30))
    assert "overlaps" in _errors(_submit(staff, url, **fields))
    assert Assignment.objects.count() == 1
    response = _submit(staff, url, **{**fields, "starts_on": "2026-07-01"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Assignment.objects.filter(starts_on=dt.date(2026, 7, 1), client=client_org).exists()


def test_an_admin_form_saved_unchanged_is_silent_and_a_change_is_announced(world, staff):
    worker = world["worker"]
    url = f"/admin/workers/worker/{worker.id}/change/"
    before = Worker.objects.get(pk=worker.pk).updated_at
    WebhookEvent.objects.all().delete()
    PendingRescan.objects.all().delete()
    audit = pghistory.models.Events.objects.filter(pgh_obj_model="workers.Worker").count()
    assert _submit(staff, url).status_code == 302
    assert Worker.objects.get(pk=worker.pk).updated_at == before
    assert pghistory.models.Events.objects.filter(pgh_obj_model="workers.Worker").count() == audit
    assert (WebhookEvent.objects.count(), PendingRescan.objects.count()) == (0, 0)

    assert _submit(staff, url, role_title="Staff engineer").status_code == 302
    event = WebhookEvent.objects.get(type="worker.changed", organization=world["client"])
    assert event.payload["data"]["changed_fields"] == ["role_title"]
    assert PendingRescan.objects.filter(worker_id=worker.pk).exists()
    # Only what the service takes is editable: status and the exit move through their own services.
    page = staff.get(url).content.decode()
    assert 'name="status"' not in page and 'name="exit_date"' not in page
    assert 'name="checkin_set-0-engagement"' not in page  # check-ins are recorded through their service


def test_an_admin_delete_leaves_a_tombstone_and_rescans_the_worker(world, staff):
    item = world["item"]
    PendingRescan.objects.all().delete()
    response = staff.post(f"/admin/providers/complianceitem/{item.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ComplianceItem.objects.filter(pk=item.pk).exists()
    tombstone = Tombstone.objects.get(object_id=item.pk)
    assert tombstone.external_id == "CI-1"
    assert PendingRescan.objects.filter(worker_id=world["worker"].pk).exists()
    assert WebhookEvent.objects.filter(type="compliance_item.deleted").exists()


def test_candidates_screenings_and_risk_flags_in_the_admin(world, staff):
    from risks.tests.factories import RiskFlagFactory
    from screening.models import Candidate
    from screening.tests.factories import CandidateFactory, ScreeningFactory

    candidate = CandidateFactory(client=world["client"], country="DE")
    url = f"/admin/screening/candidate/{candidate.id}/change/"
    assert _submit(staff, url, country="pl", external_id="CAND-1").status_code == 302
    candidate.refresh_from_db()
    assert (candidate.country, candidate.external_id) == ("PL", "CAND-1")  # the service's normalisation
    audit = pghistory.models.Events.objects.filter(pgh_obj_model="screening.Candidate", pgh_label="update")
    assert audit.get().pgh_context["channel"] == "admin"

    screening = ScreeningFactory(client=world["client"], candidate=candidate)
    page = staff.get(f"/admin/screening/screening/{screening.id}/change/").content.decode()
    assert 'name="external_id"' in page
    assert not any(f'name="{name}"' in page for name in ("candidate", "stage", "status", "provider", "client"))
    assert Candidate.objects.filter(pk=candidate.pk).exists()

    flag = RiskFlagFactory(worker=world["worker"])
    assert 'name="status"' not in staff.get(f"/admin/risks/riskflag/{flag.id}/change/").content.decode()
    response = staff.post(f"/admin/risks/riskflag/{flag.id}/change/", {"status": "resolved"})
    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.status != "resolved"


def test_a_provider_profile_changes_through_its_service(world, staff):
    provider = world["provider"]
    url = f"/admin/providers/provider/{provider.pk}/change/"
    assert _submit(staff, url, headquarters_country="nl").status_code == 302
    provider.refresh_from_db()
    assert provider.headquarters_country == "NL"  # provider_update's normalisation
    assert 'name="organization"' not in staff.get(url).content.decode()
    assert staff.get("/admin/providers/provider/add/").status_code == 403


def test_a_payroll_entry_moved_back_in_the_admin_needs_the_reason_every_path_needs(world, staff):
    from providers.models import PayrollEntry
    from providers.tests.factories import PayrollEntryFactory

    entry = PayrollEntryFactory(worker=world["worker"], provider=world["provider"], status="paid")
    url = f"/admin/providers/payrollentry/{entry.id}/change/"
    assert "needs a reason" in _errors(_submit(staff, url, status="processing"))
    assert PayrollEntry.objects.get(pk=entry.pk).status == "paid"
    assert _submit(staff, url, status="processing", reason="Payment recalled by the bank.").status_code == 302
    entry.refresh_from_db()
    assert entry.status == "processing" and entry.status_reason == "Payment recalled by the bank."


def test_every_service_admin_renders_its_add_and_change_pages(world, staff):
    from django.contrib import admin

    from outstaff.service_admin import ServiceModelAdmin

    admins = {m: a for m, a in admin.site._registry.items() if isinstance(a, ServiceModelAdmin)}
    assert len(admins) >= 11
    for model, model_admin in admins.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        if model_admin.create_service is not None:
            assert staff.get(base + "add/").status_code == 200, model
        row = model.objects.first()
        if row is not None:
            assert staff.get(f"{base}{row.pk}/change/").status_code == 200, model
