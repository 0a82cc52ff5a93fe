import datetime as dt

import pghistory.models
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import make_actor
from providers import services
from providers.models import ComplianceItem, PayrollEntry, PayrollRun
from providers.tests.factories import ComplianceItemFactory, PayrollEntryFactory, PayrollRunFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def login(client, organization, role=None):
    actor = make_actor(organization, role=role)
    client.force_login(actor.user)
    return actor


def last_context(item):
    event = item.events.order_by("-pgh_id").first()
    return event, pghistory.models.Context.objects.get(id=event.pgh_context_id).metadata


# --- provider home -----------------------------------------------------------------------------------
def test_home_lists_only_the_providers_workers_grouped_by_client(tenants, client):
    login(client, tenants["provider_a"].organization)
    response = client.get("/provider/")
    assert response.status_code == 200
    body = response.content.decode()
    assert tenants["mine"].full_name in body
    assert tenants["theirs"].full_name not in body
    assert tenants["client_a"].name in body


def test_home_is_404_for_client_users(tenants, client):
    login(client, tenants["client_a"])
    assert client.get("/provider/").status_code == 404
    assert client.get("/provider/payroll/").status_code == 404
    assert client.get("/provider/compliance/").status_code == 404
    assert client.get("/provider/imports/").status_code == 404


def test_home_shows_payroll_status_and_compliance_and_filters(tenants, client):
    login(client, tenants["provider_a"].organization)
    other = WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"], country="DE")
    today = timezone.localdate()
    run = PayrollRunFactory(provider=tenants["provider_a"], period_start=today.replace(day=1), period_end=today)
    PayrollEntryFactory(run=run, worker=tenants["mine"], status="failed", failure_reason="IBAN")
    PayrollEntryFactory(run=run, worker=other, status="paid")
    for kind in (
        "employment_contract_signed",
        "right_to_work",
        "tax_registration",
        "social_security_registration",
        "ip_assignment",
        "benefits_enrolment",
        "staffing_licence_check",
    ):
        ComplianceItemFactory(worker=other, kind=kind, status="verified")
    failed = client.get("/provider/", {"payroll_status": "failed"}).content.decode()
    assert tenants["mine"].full_name in failed and other.full_name not in failed
    complete = client.get("/provider/", {"compliance": "complete"}).content.decode()
    assert other.full_name in complete and tenants["mine"].full_name not in complete
    assert "7 / 7 verified" in complete
    incomplete = client.get("/provider/", {"compliance": "incomplete"}).content.decode()
    assert tenants["mine"].full_name in incomplete and "0 / 7 verified" in incomplete
    searched = client.get("/provider/", {"q": other.last_name}).content.decode()
    assert other.full_name in searched


def test_home_query_count_does_not_grow(tenants, client):
    login(client, tenants["provider_a"].organization)
    client.get("/provider/")
    with CaptureQueriesContext(connection) as few:
        client.get("/provider/")
    for index in range(6):
        worker = WorkerFactory(
            provider=tenants["provider_a"], client=tenants["client_a"], country="PL" if index % 2 else "DE"
        )
        ComplianceItemFactory(worker=worker)
        PayrollEntryFactory(worker=worker)
    with CaptureQueriesContext(connection) as many:
        client.get("/provider/")
    assert len(many) == len(few)


@pytest.mark.parametrize("sort", ["", "name", "-name", "status", "-status", "payroll", "-compliance"])
def test_home_pages_groups_from_their_sizes_in_the_same_order_as_one_sorted_list(tenants, client, monkeypatch, sort):
    """The home pages its (client, country) groups from their sizes (outstaff.views.GroupedRows): every
    page, for every sort, holds the rows one ORDER BY over every worker would put there, and a page
    spanning several groups costs the same queries as one inside a group. Two clients share a name
    (they sort as one), and client names sort against their ids' order."""
    from accounts.tests.factories import ClientFactory
    from outstaff import views as base_views
    from providers import selectors
    from providers.views import ProviderHomeView

    monkeypatch.setattr(base_views, "PAGE_SIZE", 3)
    actor = login(client, tenants["provider_a"].organization)
    zulu, alpha = tenants["client_a"], ClientFactory(name="Alpha")
    zulu.name = "Zulu"
    zulu.save()
    twin = ClientFactory(name="Alpha")
    for index in range(13):
        WorkerFactory(
            provider=tenants["provider_a"],
            client=(zulu, alpha, twin)[index % 3],
            country=("PL", "DE", "AT", "DE")[index % 4],
            last_name=("Kim", "Abe", "Kim", "Oz", "Abe")[index % 5],
            status=("active", "onboarding")[index % 2],
        )
    expected = selectors.workforce_list(actor=actor)
    if sort:
        fields = ProviderHomeView.sort_options[sort.removeprefix("-")]
        expected = expected.order_by(*(f"-{f}" if sort.startswith("-") else f for f in fields), "pk")
    expected = [worker.id for worker in expected]
    assert len(expected) == 14  # the fixture's worker and these
    shown, queries = [], set()
    for page in range(1, 6):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/provider/", {"sort": sort, "page": page} if sort else {"page": page})
        queries.add(len(captured))
        shown += [worker.id for worker in response.context["workers"]]
        assert response.context["page"].paginator.count == 14
    assert shown == expected
    assert len(queries) == 1, queries


# --- payroll runs and entries ------------------------------------------------------------------------
def test_create_run_from_page(tenants, client):
    login(client, tenants["provider_a"].organization, role="payroll_officer")
    response = client.post(
        "/provider/payroll/", {"country": "DE", "period_start": "2026-11-01", "period_end": "2026-11-30"}
    )
    run = PayrollRun.objects.get(provider=tenants["provider_a"])
    assert response.status_code == 302 and response["Location"] == f"/provider/payroll/{run.id}/"
    assert list(run.entries.values_list("worker_id", flat=True)) == [tenants["mine"].id]


def test_compliance_officer_cannot_create_run(tenants, client):
    login(client, tenants["provider_a"].organization, role="compliance_officer")
    response = client.post(
        "/provider/payroll/", {"country": "DE", "period_start": "2026-11-01", "period_end": "2026-11-30"}
    )
    assert response.status_code == 403
    assert not PayrollRun.objects.exists()


def test_run_pages_are_404_for_another_provider(tenants, client):
    run = PayrollRunFactory(provider=tenants["provider_b"])
    entry = PayrollEntryFactory(run=run, worker=tenants["theirs"])
    login(client, tenants["provider_a"].organization)
    assert client.get(f"/provider/payroll/{run.id}/").status_code == 404
    assert client.get(f"/provider/payroll/entries/{entry.id}/").status_code == 404
    response = client.post(f"/provider/payroll/entries/{entry.id}/", {"status": "paid"})
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.status == "scheduled"


@pytest.fixture
def run_of_three(tenants):
    run = PayrollRunFactory(provider=tenants["provider_a"], country="DE")
    workers = [tenants["mine"]] + [
        WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"]) for _ in range(2)
    ]
    return run, [PayrollEntryFactory(run=run, worker=w) for w in workers]


def test_bulk_mark_paid_and_one_failed(tenants, client, run_of_three):
    run, entries = run_of_three
    login(client, tenants["provider_a"].organization, role="payroll_officer")
    url = f"/provider/payroll/{run.id}/"
    response = client.post(url, {"entries": [str(e.id) for e in entries[:2]], "status": "paid"})
    assert response.status_code == 302
    response = client.post(url, {"entries": [str(entries[2].id)], "status": "failed"})
    assert response.status_code == 200 and "Say why the payment failed." in response.content.decode()
    assert PayrollEntry.objects.get(id=entries[2].id).status == "scheduled"
    client.post(url, {"entries": [str(entries[2].id)], "status": "failed", "failure_reason": "Account closed"})
    statuses = dict(PayrollEntry.objects.filter(run=run).values_list("id", "status"))
    assert [statuses[e.id] for e in entries] == ["paid", "paid", "failed"]
    run.refresh_from_db()
    assert run.status == "completed"
    event, metadata = last_context(PayrollEntry.objects.get(id=entries[0].id))
    assert event.status == "paid" and metadata["channel"] == "page"


def test_bulk_backwards_move_needs_reason_and_is_all_or_nothing(tenants, client, run_of_three):
    run, entries = run_of_three
    login(client, tenants["provider_a"].organization, role="payroll_officer")
    url = f"/provider/payroll/{run.id}/"
    client.post(url, {"entries": [str(entries[0].id)], "status": "paid"})
    response = client.post(url, {"entries": [str(e.id) for e in entries], "status": "processing"})
    assert "needs a reason" in response.content.decode()
    assert PayrollEntry.objects.get(id=entries[0].id).status == "paid"
    assert PayrollEntry.objects.get(id=entries[1].id).status == "scheduled"
    client.post(url, {"entries": [str(entries[0].id)], "status": "processing", "reason": "Payment recalled"})
    entry = PayrollEntry.objects.get(id=entries[0].id)
    assert entry.status == "processing" and entry.status_reason == "Payment recalled"


def test_bulk_cannot_touch_another_providers_entries(tenants, client, run_of_three):
    run, _ = run_of_three
    foreign = PayrollEntryFactory(worker=tenants["theirs"])
    login(client, tenants["provider_a"].organization)
    client.post(f"/provider/payroll/{run.id}/", {"entries": [str(foreign.id)], "status": "paid"})
    foreign.refresh_from_db()
    assert foreign.status == "scheduled"


def test_run_detail_query_count_does_not_grow(tenants, client, run_of_three):
    run, _ = run_of_three
    login(client, tenants["provider_a"].organization)
    url = f"/provider/payroll/{run.id}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        PayrollEntryFactory(run=run, worker=WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"]))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_run_list_query_count_does_not_grow(tenants, client):
    login(client, tenants["provider_a"].organization)
    PayrollRunFactory(provider=tenants["provider_a"])
    client.get("/provider/payroll/")
    with CaptureQueriesContext(connection) as few:
        client.get("/provider/payroll/")
    PayrollRunFactory.create_batch(5, provider=tenants["provider_a"])
    with CaptureQueriesContext(connection) as many:
        client.get("/provider/payroll/")
    assert len(many) == len(few)


def test_entry_form_refuses_a_stale_submit(tenants, client):
    entry = PayrollEntryFactory(worker=tenants["mine"])
    login(client, tenants["provider_a"].organization, role="payroll_officer")
    url = f"/provider/payroll/entries/{entry.id}/"
    loaded_at = entry.updated_at.isoformat()
    first = client.post(url, {"status": "paid", "updated_at": loaded_at})
    assert first.status_code == 302
    stale = client.post(url, {"status": "on_hold", "updated_at": loaded_at})
    assert stale.status_code == 200 and "Someone else changed this" in stale.content.decode()
    entry.refresh_from_db()
    assert entry.status == "paid"


def test_entry_page_shows_history_with_channel(tenants, client, api_key_client):
    entry = PayrollEntryFactory(worker=tenants["mine"], external_id="E-9")
    api = api_key_client(tenants["provider_a"].organization, ["payroll:write"])
    api.patch(f"/api/v1/payroll-entries/{entry.id}/", {"status": "processing"})
    actor = login(client, tenants["provider_a"].organization, role="payroll_officer")
    entry.refresh_from_db()
    client.post(
        f"/provider/payroll/entries/{entry.id}/", {"status": "paid", "updated_at": entry.updated_at.isoformat()}
    )
    _, metadata = last_context(entry)
    assert metadata["channel"] == "page" and metadata["user"] == str(actor.user.id)
    body = client.get(f"/provider/payroll/entries/{entry.id}/").content.decode()
    assert "API key “test key”" in body and "Page" in body and "processing → paid" in body


# --- compliance --------------------------------------------------------------------------------------
def test_compliance_page_lists_expiring_items_and_only_own(tenants, client):
    today = timezone.localdate()
    soon = ComplianceItemFactory(
        worker=tenants["mine"], kind="right_to_work", status="verified", expires_on=today + dt.timedelta(days=10)
    )
    later = ComplianceItemFactory(
        worker=tenants["mine"], kind="tax_registration", status="verified", expires_on=today + dt.timedelta(days=60)
    )
    foreign = ComplianceItemFactory(
        worker=tenants["theirs"], status="verified", expires_on=today + dt.timedelta(days=5)
    )
    login(client, tenants["provider_a"].organization, role="compliance_officer")
    response = client.get("/provider/compliance/")
    expiring = response.context["expiring"]
    assert [item.id for item in expiring] == [soon.id]
    assert {item.id for item in response.context["items"]} == {soon.id, later.id}
    assert foreign.id not in {item.id for item in response.context["items"]}
    assert client.get(f"/provider/compliance/{foreign.id}/").status_code == 404


def test_compliance_item_stale_edit_and_audit(tenants, client):
    item = ComplianceItemFactory(worker=tenants["mine"], status="submitted")
    actor = login(client, tenants["provider_a"].organization, role="compliance_officer")
    url = f"/provider/compliance/{item.id}/"
    loaded_at = item.updated_at.isoformat()
    assert (
        client.post(url, {"status": "verified", "evidence_reference": "DOC-1", "updated_at": loaded_at}).status_code
        == 302
    )
    stale = client.post(url, {"status": "rejected", "updated_at": loaded_at})
    assert "Someone else changed this" in stale.content.decode()
    item.refresh_from_db()
    assert item.status == "verified" and item.verified_by == actor.user and item.evidence_reference == "DOC-1"
    _, metadata = last_context(item)
    assert metadata["channel"] == "page"


def test_payroll_officer_cannot_edit_compliance(tenants, client):
    item = ComplianceItemFactory(worker=tenants["mine"], status="submitted")
    login(client, tenants["provider_a"].organization, role="payroll_officer")
    response = client.post(f"/provider/compliance/{item.id}/", {"status": "verified"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "submitted"


def test_record_missing_item_for_own_worker_only(tenants, client):
    login(client, tenants["provider_a"].organization, role="compliance_officer")
    response = client.post(
        f"/provider/workers/{tenants['mine'].id}/compliance/new/",
        {"kind": "staffing_licence_check", "status": "verified"},
    )
    assert response.status_code == 302
    assert ComplianceItem.objects.filter(worker=tenants["mine"], kind="staffing_licence_check").exists()
    response = client.post(
        f"/provider/workers/{tenants['theirs'].id}/compliance/new/", {"kind": "ip_assignment", "status": "verified"}
    )
    assert response.status_code == 404
    assert not ComplianceItem.objects.filter(worker=tenants["theirs"]).exists()


def test_compliance_list_query_count_does_not_grow(tenants, client):
    login(client, tenants["provider_a"].organization)
    ComplianceItemFactory(worker=tenants["mine"], expires_on=timezone.localdate() + dt.timedelta(days=3))
    client.get("/provider/compliance/")
    with CaptureQueriesContext(connection) as few:
        client.get("/provider/compliance/")
    for _ in range(5):
        worker = WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"])
        ComplianceItemFactory(
            worker=worker,
            verified_by=make_actor(tenants["provider_a"].organization).user,
            expires_on=timezone.localdate() + dt.timedelta(days=3),
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/provider/compliance/")
    assert len(many) == len(few)


# --- the client's view on the worker page ------------------------------------------------------------
def test_client_sees_failed_payroll_and_missing_compliance_on_the_worker(tenants, client):
    run = PayrollRunFactory(provider=tenants["provider_a"], period_start=dt.date(2026, 10, 1))
    PayrollEntryFactory(run=run, worker=tenants["mine"], status="failed", failure_reason="Bank rejected the IBAN")
    ComplianceItemFactory(worker=tenants["mine"], kind="right_to_work", status="expired")
    login(client, tenants["client_a"], role="viewer")
    body = client.get(f"/workers/{tenants['mine'].id}/").content.decode()
    assert "The latest payroll (October 2026) failed: Bank rejected the IBAN." in body
    assert "Expired compliance item: Right to work." in body
    assert "Missing compliance items: Employment contract signed, Tax registration," in body
    # Read-only for the client: no edit links into the provider workspace.
    assert "/provider/payroll/entries/" not in body


def test_no_warning_when_latest_payroll_was_paid(tenants, client):
    old = PayrollRunFactory(provider=tenants["provider_a"], period_start=dt.date(2026, 9, 1))
    new = PayrollRunFactory(provider=tenants["provider_a"], period_start=dt.date(2026, 10, 1))
    PayrollEntryFactory(run=old, worker=tenants["mine"], status="failed", failure_reason="x")
    PayrollEntryFactory(run=new, worker=tenants["mine"], status="paid")
    login(client, tenants["client_a"])
    body = client.get(f"/workers/{tenants['mine'].id}/").content.decode()
    assert "The latest payroll" not in body and "Payroll history" in body


def test_other_client_cannot_see_the_worker_payroll(tenants, client):
    PayrollEntryFactory(worker=tenants["mine"], status="failed", failure_reason="secret reason")
    login(client, tenants["client_b"])
    response = client.get(f"/workers/{tenants['mine'].id}/")
    assert response.status_code == 404


def test_provider_sees_links_to_edit_on_the_worker_page(tenants, client):
    entry = PayrollEntryFactory(worker=tenants["mine"], status="paid")
    item = ComplianceItemFactory(worker=tenants["mine"], kind="right_to_work", status="verified")
    login(client, tenants["provider_a"].organization)
    body = client.get(f"/workers/{tenants['mine'].id}/").content.decode()
    assert f"/provider/payroll/entries/{entry.id}/" in body
    assert f"/provider/compliance/{item.id}/" in body
    assert f"/provider/workers/{tenants['mine'].id}/compliance/new/?kind=tax_registration" in body


def test_version_round_trips_through_the_rendered_form(tenants, client):
    """The hidden version the page renders is exactly what the service compares against."""
    import re

    entry = PayrollEntryFactory(worker=tenants["mine"])
    login(client, tenants["provider_a"].organization, role="payroll_officer")
    url = f"/provider/payroll/entries/{entry.id}/"
    rendered = re.search(r'name="updated_at" value="([^"]+)"', client.get(url).content.decode()).group(1)
    assert client.post(url, {"status": "processing", "updated_at": rendered}).status_code == 302
    assert client.post(url, {"status": "on_hold", "updated_at": rendered}).status_code == 200
    entry.refresh_from_db()
    assert entry.status == "processing"
    item = ComplianceItemFactory(worker=tenants["mine"], status="submitted")
    login(client, tenants["provider_a"].organization, role="compliance_officer")
    url = f"/provider/compliance/{item.id}/"
    rendered = re.search(r'name="updated_at" value="([^"]+)"', client.get(url).content.decode()).group(1)
    assert client.post(url, {"status": "verified", "updated_at": rendered}).status_code == 302


def test_run_list_shows_only_own_runs(tenants, client):
    mine = PayrollRunFactory(provider=tenants["provider_a"])
    theirs = PayrollRunFactory(provider=tenants["provider_b"])
    login(client, tenants["provider_a"].organization)
    runs = {run.id for run in client.get("/provider/payroll/").context["runs"]}
    assert mine.id in runs and theirs.id not in runs


def test_bulk_change_is_refused_when_a_selected_entry_changed_since_the_page_loaded(tenants, client, run_of_three):
    """The officer's page showed every entry scheduled; meanwhile a colleague marked one failed.
    "Mark selected paid" must not silently overwrite that failure: nothing moves, the page says why
    and keeps the selection."""
    run, entries = run_of_three
    login(client, tenants["provider_a"].organization, role="payroll_officer")
    url = f"/provider/payroll/{run.id}/"
    page = client.get(url).content.decode()
    versions = {f"version_{e.id}": e.updated_at.isoformat() for e in entries}
    for name, value in versions.items():
        assert f'name="{name}" value="{value}"' in page
    colleague = make_actor(tenants["provider_a"].organization, role="payroll_officer")
    services.payroll_entry_update(actor=colleague, instance=entries[1], status="failed", failure_reason="IBAN closed")
    response = client.post(url, {"entries": [str(e.id) for e in entries], "status": "paid", **versions})
    assert response.status_code == 200
    body = response.content.decode()
    assert "changed since you opened the page" in body
    assert body.count(" checked>") == 3 and '<option value="paid" selected>' in body
    statuses = dict(PayrollEntry.objects.filter(run=run).values_list("id", "status"))
    assert [statuses[e.id] for e in entries] == ["scheduled", "failed", "scheduled"]
    # With the page reloaded (fresh versions) the same change goes through.
    fresh = {f"version_{e.id}": e.updated_at.isoformat() for e in PayrollEntry.objects.filter(run=run)}
    response = client.post(url, {"entries": [str(e.id) for e in entries], "status": "paid", **fresh})
    assert response.status_code == 302
    assert set(PayrollEntry.objects.filter(run=run).values_list("status", flat=True)) == {"paid"}


def test_home_group_header_counts_the_whole_group_not_the_page(tenants, client, monkeypatch):
    from outstaff import views as base_views

    monkeypatch.setattr(base_views, "PAGE_SIZE", 3)
    login(client, tenants["provider_a"].organization)
    for _ in range(4):
        WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"], country="DE")
    page = client.get("/provider/").content.decode()
    assert "DE · 5 workers (3 on this page)" in page
    second = client.get("/provider/?page=2").content.decode()
    assert "DE · 5 workers (2 on this page)" in second


def test_a_run_created_ahead_for_next_period_does_not_hide_the_failure(tenants, client):
    today = timezone.localdate()
    this_period = PayrollRunFactory(provider=tenants["provider_a"], period_start=today - dt.timedelta(days=20))
    next_period = PayrollRunFactory(provider=tenants["provider_a"], period_start=today + dt.timedelta(days=15))
    PayrollEntryFactory(run=this_period, worker=tenants["mine"], status="failed", failure_reason="Account closed")
    PayrollEntryFactory(run=next_period, worker=tenants["mine"], status="scheduled")
    login(client, tenants["client_a"])
    body = client.get(f"/workers/{tenants['mine'].id}/").content.decode()
    assert f"The latest payroll ({this_period.period_start:%B %Y}) failed: Account closed." in body
