import datetime as dt
import io
import time

import pghistory.models
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import make_actor
from providers import csv_import, csv_import_dispatch
from providers.models import ComplianceItem, CsvImport, PayrollEntry
from providers.tests.factories import ComplianceItemFactory, PayrollEntryFactory, PayrollRunFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

PERIOD = dt.date(2026, 10, 1)


@pytest.fixture
def payroll(tenants):
    run = PayrollRunFactory(provider=tenants["provider_a"], country="DE", period_start=PERIOD)
    second = WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"], external_id="W-2")
    entries = [PayrollEntryFactory(run=run, worker=tenants["mine"]), PayrollEntryFactory(run=run, worker=second)]
    foreign_run = PayrollRunFactory(provider=tenants["provider_b"], country="DE", period_start=PERIOD)
    foreign = PayrollEntryFactory(run=foreign_run, worker=tenants["theirs"])
    return {"run": run, "entries": entries, "foreign": foreign}


def upload(client, kind, content, name="payroll-oct.csv"):
    file = io.BytesIO(content.encode())
    file.name = name
    response = client.post("/provider/imports/", {"kind": kind, "file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return CsvImport.objects.latest("created_at")


GOOD = (
    "worker_external_id,period_start,status,failure_reason\nW-1,2026-10-01,paid,\nW-2,2026-10-01,failed,IBAN closed\n"
)


def test_dry_run_writes_nothing_and_reports_each_row(tenants, payroll, client):
    make = make_actor(tenants["provider_a"].organization, role="payroll_officer")
    client.force_login(make.user)
    job = upload(client, "payroll_entries", GOOD)
    assert job.status == "checked" and job.error_rows == 0 and job.changed_rows == 2
    assert [r["action"] for r in job.report] == ["update", "update"]
    assert job.report[1]["changes"]["status"] == ["scheduled", "failed"]
    assert set(PayrollEntry.objects.filter(run=payroll["run"]).values_list("status", flat=True)) == {"scheduled"}
    page = client.get(f"/provider/imports/{job.id}/").content.decode()
    assert "Apply all 2 change(s)" in page


def test_apply_writes_and_audits_the_file_name(tenants, payroll, client):
    actor = make_actor(tenants["provider_a"].organization, role="payroll_officer")
    client.force_login(actor.user)
    job = upload(client, "payroll_entries", GOOD)
    response = client.post(f"/provider/imports/{job.id}/", {"mode": "all"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "applied" and job.applied_rows == 2
    first, second = (PayrollEntry.objects.get(id=e.id) for e in payroll["entries"])
    assert first.status == "paid" and first.paid_at is not None
    assert second.status == "failed" and second.failure_reason == "IBAN closed"
    event = second.events.order_by("-pgh_id").first()
    metadata = pghistory.models.Context.objects.get(id=event.pgh_context_id).metadata
    assert metadata["channel"] == "csv" and metadata["csv_file"] == "payroll-oct.csv"
    assert metadata["user"] == str(actor.user.id)
    payroll["run"].refresh_from_db()
    assert payroll["run"].status == "completed"


BAD = (
    "worker_external_id,period_start,status,failure_reason,paid_at\n"
    "W-1,2026-10-01,paid,,2026-10-31\n"
    "W-404,2026-10-01,paid,,\n"
    "W-2,2026-10-01,sent,,\n"
    "W-2,2026-13-01,paid,,\n"
    "W-2,2026-10-01,failed,,\n"
    "W-2,2026-10-01,paid,,yesterday\n"
)


def test_bad_rows_are_reported_and_nothing_applies(tenants, payroll, client):
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    job = upload(client, "payroll_entries", BAD)
    errors = {r["line"]: r["errors"] for r in job.report if r["action"] == "error"}
    assert set(errors) == {3, 4, 5, 6, 7}
    assert "Unknown worker" in errors[3]["worker_external_id"]
    assert "status" in errors[4]
    assert "period_start" in errors[5]
    assert "failure_reason" in errors[6]
    assert "paid_at" in errors[7]
    response = client.post(f"/provider/imports/{job.id}/", {"mode": "all"}, follow=True)
    assert "cannot be applied as a whole" in response.content.decode()
    assert set(PayrollEntry.objects.filter(run=payroll["run"]).values_list("status", flat=True)) == {"scheduled"}
    job.refresh_from_db()
    assert job.status == "checked"


def test_apply_good_rows_only_when_chosen(tenants, payroll, client):
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    job = upload(client, "payroll_entries", BAD)
    client.post(f"/provider/imports/{job.id}/", {"mode": "good_rows_only"})
    job.refresh_from_db()
    assert job.status == "applied" and job.applied_rows == 1 and job.good_rows_only
    first, second = (PayrollEntry.objects.get(id=e.id) for e in payroll["entries"])
    assert first.status == "paid" and second.status == "scheduled"


def test_apply_is_refused_when_data_changed_since_the_dry_run(tenants, payroll):
    actor = make_actor(tenants["provider_a"].organization)
    content = "worker_external_id,period_start,status\nW-1,2026-10-01,processing\n"
    job = csv_import.csv_import_create(actor=actor, kind="payroll_entries", file_name="f.csv", content=content)
    job = csv_import.csv_import_check(import_id=job.pk)
    assert job.error_rows == 0
    # Meanwhile someone marks the entry paid: processing would now be a backwards move.
    PayrollEntry.objects.filter(id=payroll["entries"][0].id).update(status="paid")
    with pytest.raises(ValidationError, match="nothing was applied"):
        csv_import.csv_import_apply(actor=actor, import_id=job.pk)
    assert PayrollEntry.objects.get(id=payroll["entries"][0].id).status == "paid"
    job.refresh_from_db()
    assert job.status == "checked" and job.error_rows == 1 and "reason" in job.report[0]["errors"]


def test_two_rows_cannot_give_one_new_external_id_to_two_entries(tenants, payroll):
    actor = make_actor(tenants["provider_a"].organization)
    content = "external_id,worker_external_id,period_start,status\nE-7,W-1,2026-10-01,paid\nE-7,W-2,2026-10-01,paid\n"
    job = csv_import.csv_import_create(actor=actor, kind="payroll_entries", file_name="f.csv", content=content)
    job = csv_import.csv_import_check(import_id=job.pk)
    assert [r["action"] for r in job.report] == ["update", "error"]
    assert "external_id" in job.report[1]["errors"]
    csv_import.csv_import_apply(actor=actor, import_id=job.pk, good_rows_only=True)
    assert PayrollEntry.objects.filter(external_id="E-7").count() == 1


def test_csv_cannot_reach_another_providers_workers(tenants, payroll, client):
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    content = f"worker,period_start,status\n{tenants['theirs'].id},2026-10-01,paid\n"
    job = upload(client, "payroll_entries", content)
    assert job.error_rows == 1 and "worker" in job.report[0]["errors"]
    client.post(f"/provider/imports/{job.id}/", {"mode": "good_rows_only"})
    payroll["foreign"].refresh_from_db()
    assert payroll["foreign"].status == "scheduled"


def test_import_pages_are_404_for_another_provider(tenants, payroll, client):
    actor = make_actor(tenants["provider_a"].organization)
    job = csv_import.csv_import_create(actor=actor, kind="payroll_entries", file_name="f.csv", content=GOOD)
    csv_import.csv_import_check(import_id=job.pk)
    client.force_login(make_actor(tenants["provider_b"].organization).user)
    assert client.get(f"/provider/imports/{job.id}/").status_code == 404
    assert client.post(f"/provider/imports/{job.id}/", {"mode": "all"}).status_code == 404
    assert set(PayrollEntry.objects.filter(run=payroll["run"]).values_list("status", flat=True)) == {"scheduled"}
    assert job.id not in {j.id for j in client.get("/provider/imports/").context["imports"]}


def test_unknown_columns_and_non_utf8_are_refused(tenants, client):
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    file = io.BytesIO(b"worker_external_id,salary\nW-1,100\n")
    file.name = "x.csv"
    response = client.post("/provider/imports/", {"kind": "payroll_entries", "file": file})
    assert response.status_code == 200 and "Unknown column(s): salary" in response.content.decode()
    file = io.BytesIO("worker_external_id,status\nW-1,paid\n".encode("utf-16"))
    file.name = "y.csv"
    response = client.post("/provider/imports/", {"kind": "payroll_entries", "file": file})
    assert "not UTF-8" in response.content.decode()
    assert not CsvImport.objects.exists()


def test_payroll_officer_cannot_import_compliance(tenants, client):
    client.force_login(make_actor(tenants["provider_a"].organization, role="payroll_officer").user)
    file = io.BytesIO(b"worker_external_id,kind,status\nW-1,right_to_work,verified\n")
    file.name = "c.csv"
    assert client.post("/provider/imports/", {"kind": "compliance_items", "file": file}).status_code == 403


def test_compliance_csv_upserts_items(tenants, client):
    existing = ComplianceItemFactory(worker=tenants["mine"], kind="right_to_work", status="submitted")
    client.force_login(make_actor(tenants["provider_a"].organization, role="compliance_officer").user)
    content = (
        "worker_external_id,kind,status,expires_on,evidence_reference\n"
        "W-1,right_to_work,verified,2030-03-31,DOC-1\n"
        "W-1,tax_registration,submitted,,TAX-1\n"
    )
    job = upload(client, "compliance_items", content, name="compliance.csv")
    assert [r["action"] for r in job.report] == ["update", "create"]
    client.post(f"/provider/imports/{job.id}/", {"mode": "all"})
    existing.refresh_from_db()
    assert existing.status == "verified" and existing.expires_on == dt.date(2030, 3, 31)
    assert ComplianceItem.objects.get(worker=tenants["mine"], kind="tax_registration").evidence_reference == "TAX-1"
    event = existing.events.order_by("-pgh_id").first()
    metadata = pghistory.models.Context.objects.get(id=event.pgh_context_id).metadata
    assert metadata["csv_file"] == "compliance.csv"


def test_ten_thousand_rows_dry_run_and_apply_are_set_based(tenants):
    """A 10,000-row file: the dry run and the apply use a bounded number of queries (chunks of
    2,000 rows), and finish in seconds."""
    provider = tenants["provider_a"]
    run = PayrollRunFactory(provider=provider, country="DE", period_start=PERIOD)
    worker_model = type(tenants["mine"])
    workers = worker_model.objects.bulk_create(
        [
            worker_model(
                provider=provider,
                client=tenants["client_a"],
                first_name="W",
                last_name=str(i),
                work_email=f"w{i}@example.test",
                country="DE",
                status="active",
                external_id=f"BULK-{i}",
            )
            for i in range(10_000)
        ]
    )
    PayrollEntry.objects.bulk_create([PayrollEntry(run=run, provider=provider, worker=w) for w in workers])
    lines = ["worker_external_id,period_start,status,failure_reason"]
    lines += [
        f"BULK-{i},2026-10-01,{'failed' if i % 100 == 0 else 'paid'},{'Closed' if i % 100 == 0 else ''}"
        for i in range(10_000)
    ]
    actor = make_actor(provider.organization)
    job = csv_import.csv_import_create(
        actor=actor, kind="payroll_entries", file_name="big.csv", content="\n".join(lines)
    )
    started = time.monotonic()
    with CaptureQueriesContext(connection) as check_queries:
        job = csv_import.csv_import_check(import_id=job.pk)
    check_seconds = time.monotonic() - started
    assert job.error_rows == 0 and job.changed_rows == 10_000 and job.processed_rows == 10_000
    assert len(check_queries) < 40
    started = time.monotonic()
    with CaptureQueriesContext(connection) as apply_queries:
        job = csv_import.csv_import_apply(actor=actor, import_id=job.pk)
    apply_seconds = time.monotonic() - started
    assert len(apply_queries) < 80
    assert PayrollEntry.objects.filter(run=run, status="paid").count() == 9_900
    assert PayrollEntry.objects.filter(run=run, status="failed").count() == 100
    print(
        f"10k rows: dry run {check_seconds:.1f}s ({len(check_queries)} queries), "
        f"apply {apply_seconds:.1f}s ({len(apply_queries)} queries)"
    )
    assert check_seconds < 60 and apply_seconds < 120


def test_large_file_is_checked_in_the_background_with_progress(
    tenants, client, monkeypatch, django_capture_on_commit_callbacks
):
    from providers import tasks

    queued = []
    monkeypatch.setattr(csv_import_dispatch, "INLINE_ROW_LIMIT", 1)
    monkeypatch.setattr(tasks.csv_import_check_task, "delay", lambda import_id: queued.append(import_id))
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(client, "payroll_entries", GOOD)
    assert job.status == "checking" and queued == [str(job.id)]
    progress = client.get(f"/provider/imports/{job.id}/?progress=1", HTTP_HX_REQUEST="true").content.decode()
    assert "0 of 2 rows" in progress and "hx-trigger" in progress
    tasks.csv_import_check_task(queued[0])
    job.refresh_from_db()
    assert job.status == "checked" and job.processed_rows == 2


def test_large_file_is_applied_in_the_background(
    tenants, payroll, client, monkeypatch, django_capture_on_commit_callbacks
):
    from providers import tasks

    checks, applies = [], []
    monkeypatch.setattr(csv_import_dispatch, "INLINE_ROW_LIMIT", 1)
    monkeypatch.setattr(tasks.csv_import_check_task, "delay", lambda import_id: checks.append(import_id))
    monkeypatch.setattr(tasks.csv_import_apply_task, "delay", lambda *args: applies.append(args))
    actor = make_actor(tenants["provider_a"].organization, role="payroll_officer")
    client.force_login(actor.user)
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(client, "payroll_entries", GOOD)
    tasks.csv_import_check_task(checks[0])
    # Finished checking: the progress poll tells htmx to reload the page with the report.
    done = client.get(f"/provider/imports/{job.id}/?progress=1", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/provider/imports/{job.id}/", {"mode": "all"})
    job.refresh_from_db()
    assert job.status == "applying" and applies == [(str(job.id), str(actor.user.id), False)]
    tasks.csv_import_apply_task(*applies[0])
    job.refresh_from_db()
    assert job.status == "applied" and job.applied_rows == 2
    entry = PayrollEntry.objects.get(id=payroll["entries"][1].id)
    assert entry.status == "failed"
    event = entry.events.order_by("-pgh_id").first()
    metadata = pghistory.models.Context.objects.get(id=event.pgh_context_id).metadata
    assert metadata["channel"] == "csv" and metadata["user"] == str(actor.user.id)


def test_import_list_query_count_does_not_grow(tenants, client):
    actor = make_actor(tenants["provider_a"].organization)
    client.force_login(actor.user)
    csv_import.csv_import_create(actor=actor, kind="payroll_entries", file_name="a.csv", content=GOOD)
    client.get("/provider/imports/")
    with CaptureQueriesContext(connection) as few:
        client.get("/provider/imports/")
    for index in range(5):
        csv_import.csv_import_create(actor=actor, kind="payroll_entries", file_name=f"{index}.csv", content=GOOD)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/provider/imports/")
    assert len(response.context["imports"]) == 6
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "raw",
    [
        b"worker_external_id,period_start,status\nW-1,2026-10-01,pa\x00id\n",
        # UTF-16 without a byte order mark decodes as UTF-8 full of NUL characters.
        "worker_external_id,period_start,status\nW-1,2026-10-01,paid\n".encode("utf-16-le"),
    ],
)
def test_a_file_with_nul_bytes_is_refused_not_a_500(tenants, payroll, client, raw):
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    file = io.BytesIO(raw)
    file.name = "nul.csv"
    response = client.post("/provider/imports/", {"kind": "payroll_entries", "file": file})
    assert response.status_code == 200
    assert "NUL" in response.content.decode()
    assert not CsvImport.objects.exists()


def test_non_finite_amount_and_long_external_id_are_row_errors(tenants, payroll, client):
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    content = (
        "external_id,worker_external_id,period_start,status,gross_amount\n"
        "E-9,W-1,2026-10-01,paid,Infinity\n"
        f"{'Y' * 129},W-2,2026-10-01,paid,100\n"
    )
    job = upload(client, "payroll_entries", content)
    assert job.status == "checked" and job.error_rows == 2
    assert "gross_amount" in job.report[0]["errors"] and "external_id" in job.report[1]["errors"]
    response = client.post(f"/provider/imports/{job.id}/", {"mode": "good_rows_only"})
    assert response.status_code == 302
    assert set(PayrollEntry.objects.filter(run=payroll["run"]).values_list("status", flat=True)) == {"scheduled"}


def test_a_crash_in_a_background_check_or_apply_ends_the_import_as_failed(
    tenants, payroll, client, monkeypatch, django_capture_on_commit_callbacks
):
    """An unexpected error must not leave the page polling "checking…" / "applying…" forever."""
    from providers import bulk, tasks

    checks, applies = [], []
    monkeypatch.setattr(csv_import_dispatch, "INLINE_ROW_LIMIT", 1)
    monkeypatch.setattr(tasks.csv_import_check_task, "delay", lambda import_id: checks.append(import_id))
    monkeypatch.setattr(tasks.csv_import_apply_task, "delay", lambda *args: applies.append(args))
    client.force_login(make_actor(tenants["provider_a"].organization, role="payroll_officer").user)
    with django_capture_on_commit_callbacks(execute=True):
        crashing = upload(client, "payroll_entries", GOOD)
        applied = upload(client, "payroll_entries", GOOD, name="second.csv")
    real_plan = bulk.plan_payroll_entries

    def boom(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(bulk, "plan_payroll_entries", boom)
    with pytest.raises(RuntimeError):
        tasks.csv_import_check_task(checks[0])
    crashing.refresh_from_db()
    assert crashing.status == "failed" and "went wrong" in crashing.failure
    assert client.get(f"/provider/imports/{crashing.id}/?progress=1", HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"

    monkeypatch.setattr(bulk, "plan_payroll_entries", real_plan)
    tasks.csv_import_check_task(checks[1])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/provider/imports/{applied.id}/", {"mode": "all"})
    monkeypatch.setattr(bulk, "apply_plan", lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("bug")))
    with pytest.raises(RuntimeError):
        tasks.csv_import_apply_task(*applies[0])
    applied.refresh_from_db()
    assert applied.status == "failed" and applied.applied_rows == 0
    assert set(PayrollEntry.objects.filter(run=payroll["run"]).values_list("status", flat=True)) == {"scheduled"}


def test_apply_does_not_overwrite_a_value_changed_since_the_dry_run(tenants, payroll):
    """The dry run said scheduled → paid; meanwhile a colleague marked the entry failed. Applying
    would silently turn that failure into paid, so nothing is applied and the fresh report shows
    failed → paid; applying again (the provider has now seen it) goes through."""
    actor = make_actor(tenants["provider_a"].organization)
    content = "worker_external_id,period_start,status\nW-1,2026-10-01,paid\nW-2,2026-10-01,paid\n"
    job = csv_import.csv_import_create(actor=actor, kind="payroll_entries", file_name="f.csv", content=content)
    job = csv_import.csv_import_check(import_id=job.pk)
    assert job.report[0]["changes"]["status"] == ["scheduled", "paid"]
    first, second = payroll["entries"]
    PayrollEntry.objects.filter(id=first.id).update(status="failed", failure_reason="IBAN closed")
    with pytest.raises(ValidationError, match="changed since the dry run"):
        csv_import.csv_import_apply(actor=actor, import_id=job.pk)
    assert PayrollEntry.objects.get(id=first.id).status == "failed"
    assert PayrollEntry.objects.get(id=second.id).status == "scheduled"
    job.refresh_from_db()
    assert job.status == "checked" and job.report[0]["changes"]["status"] == ["failed", "paid"]
    job = csv_import.csv_import_apply(actor=actor, import_id=job.pk)
    assert job.status == "applied"
    assert set(PayrollEntry.objects.filter(run=payroll["run"]).values_list("status", flat=True)) == {"paid"}


def test_apply_after_an_unrelated_change_since_the_dry_run_goes_through(tenants, payroll):
    actor = make_actor(tenants["provider_a"].organization)
    content = "worker_external_id,period_start,status\nW-1,2026-10-01,paid\n"
    job = csv_import.csv_import_create(actor=actor, kind="payroll_entries", file_name="f.csv", content=content)
    csv_import.csv_import_check(import_id=job.pk)
    PayrollEntry.objects.filter(id=payroll["entries"][0].id).update(gross_amount="4100.00", currency="EUR")
    job = csv_import.csv_import_apply(actor=actor, import_id=job.pk)
    entry = PayrollEntry.objects.get(id=payroll["entries"][0].id)
    assert job.status == "applied" and entry.status == "paid" and str(entry.gross_amount) == "4100.00"


def test_csv_cannot_reach_another_providers_entries_runs_or_items_by_external_id(tenants, payroll, client):
    foreign = payroll["foreign"]
    PayrollEntry.objects.filter(id=foreign.id).update(external_id="E-THEIRS")
    type(foreign.run).objects.filter(id=foreign.run_id).update(external_id="RUN-THEIRS")
    their_item = ComplianceItemFactory(worker=tenants["theirs"], external_id="C-THEIRS", status="submitted")
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    payroll_job = upload(
        client,
        "payroll_entries",
        "external_id,worker_external_id,run_external_id,status\nE-THEIRS,,,paid\n,W-1,RUN-THEIRS,paid\n",
    )
    assert payroll_job.error_rows == 2
    assert "external_id" in payroll_job.report[0]["errors"] and "run_external_id" in payroll_job.report[1]["errors"]
    compliance_job = upload(
        client,
        "compliance_items",
        f"external_id,worker,kind,status\nC-THEIRS,,,verified\n,{tenants['theirs'].id},right_to_work,verified\n",
        name="c.csv",
    )
    assert [r["action"] for r in compliance_job.report] == ["error", "error"]
    for job in (payroll_job, compliance_job):
        client.post(f"/provider/imports/{job.id}/", {"mode": "good_rows_only"})
    foreign.refresh_from_db()
    their_item.refresh_from_db()
    assert foreign.status == "scheduled" and their_item.status == "submitted"
    assert not ComplianceItem.objects.filter(provider=tenants["provider_a"]).exists()


def test_a_file_applied_by_a_concurrent_request_is_not_applied_again(tenants, payroll, monkeypatch):
    """Two clicks on Apply both pass the first status check; the second finds the import applied
    once it holds the import's lock, writes nothing and keeps the first apply's report."""
    actor = make_actor(tenants["provider_a"].organization)
    job = csv_import.csv_import_create(actor=actor, kind="payroll_entries", file_name="f.csv", content=GOOD)
    csv_import.csv_import_check(import_id=job.pk)
    real_parse = csv_import.parse_csv

    def parse_while_the_other_click_applies(**kwargs):
        monkeypatch.setattr(csv_import, "parse_csv", real_parse)
        csv_import.csv_import_apply(actor=actor, import_id=job.pk)
        return real_parse(**kwargs)

    monkeypatch.setattr(csv_import, "parse_csv", parse_while_the_other_click_applies)
    with pytest.raises(ValidationError, match="just been applied"):
        csv_import.csv_import_apply(actor=actor, import_id=job.pk)
    job.refresh_from_db()
    assert job.status == "applied" and job.applied_rows == 2 and job.changed_rows == 2


def _broker_down(*args, **kwargs):
    raise ConnectionError("Error 111 connecting to redis: Connection refused.")


def test_with_the_broker_down_a_large_file_is_checked_and_applied_in_the_request(
    tenants, payroll, client, monkeypatch, django_capture_on_commit_callbacks
):
    from providers import tasks

    monkeypatch.setattr(csv_import_dispatch, "INLINE_ROW_LIMIT", 1)
    monkeypatch.setattr(tasks.csv_import_check_task, "delay", _broker_down)
    monkeypatch.setattr(tasks.csv_import_apply_task, "delay", _broker_down)
    actor = make_actor(tenants["provider_a"].organization, role="payroll_officer")
    client.force_login(actor.user)
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(client, "payroll_entries", GOOD)
    job.refresh_from_db()
    assert job.status == "checked"  # not "checking" for ever
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/provider/imports/{job.id}/", {"mode": "all"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "applied" and job.applied_rows == 2
    assert PayrollEntry.objects.get(id=payroll["entries"][1].id).status == "failed"


def test_with_the_broker_down_a_file_too_large_to_process_inline_fails_visibly(
    tenants, payroll, client, monkeypatch, django_capture_on_commit_callbacks
):
    from providers import tasks

    monkeypatch.setattr(csv_import_dispatch, "INLINE_ROW_LIMIT", 1)
    monkeypatch.setattr(csv_import, "BROKER_DOWN_INLINE_LIMIT", 1)
    monkeypatch.setattr(tasks.csv_import_check_task, "delay", _broker_down)
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(client, "payroll_entries", GOOD)
    job.refresh_from_db()
    assert job.status == "failed" and "task queue is unreachable" in job.failure
    page = client.get(f"/provider/imports/{job.id}/").content.decode()
    assert "task queue is unreachable" in page and 'id="import-progress" hx-get' not in page


def test_stalled_background_imports_are_enqueued_again(tenants, payroll, client, monkeypatch):
    from providers import tasks

    checks, applies = [], []
    monkeypatch.setattr(tasks.csv_import_check_task, "delay", lambda *args: checks.append(args))
    monkeypatch.setattr(tasks.csv_import_apply_task, "delay", lambda *args: applies.append(args))
    actor = make_actor(tenants["provider_a"].organization, role="payroll_officer")
    client.force_login(actor.user)
    checking = upload(client, "payroll_entries", GOOD)
    applying = upload(client, "payroll_entries", GOOD)
    fresh = upload(client, "payroll_entries", GOOD)
    long_ago = csv_import.timezone.now() - csv_import.STALLED_AFTER - dt.timedelta(seconds=1)
    CsvImport.objects.filter(pk=checking.pk).update(status="checking", updated_at=long_ago)
    CsvImport.objects.filter(pk=applying.pk).update(
        status="applying", good_rows_only=True, apply_requested_by=actor.user, updated_at=long_ago
    )
    CsvImport.objects.filter(pk=fresh.pk).update(status="checking")
    assert tasks.csv_imports_resume_task() == 2
    assert checks == [(str(checking.id),)] and applies == [(str(applying.id), str(actor.user.id), True)]
    assert tasks.csv_imports_resume_task() == 0  # resumed ones have a fresh sign of life
    tasks.csv_import_apply_task(*applies[0])
    applying.refresh_from_db()
    assert applying.status == "applied"
    tasks.csv_import_apply_task(*applies[0])  # a duplicate delivery changes nothing
    applying.refresh_from_db()
    assert applying.status == "applied" and applying.applied_rows == 2


@pytest.mark.parametrize("kind", ["payroll_entries", "compliance_items"])
def test_the_downloadable_template_is_exactly_the_imports_format(tenants, client, kind):
    """Issue 11: the template's columns are the import's; filled with real workers, its example rows
    check without a single error."""
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    response = client.get(f"/provider/imports/template/{kind}.csv")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    content = response.content.decode()
    header = content.splitlines()[0].split(",")
    assert header == csv_import.TEMPLATE_COLUMNS[kind]
    assert set(header) <= set(csv_import.COLUMNS[kind])
    for external_id in ("W-1001", "W-1002"):
        WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"], external_id=external_id, country="DE")
    PayrollRunFactory(provider=tenants["provider_a"], country="DE", period_start=PERIOD)
    job = upload(client, kind, content, name="template.csv")
    job.refresh_from_db()
    assert job.status == "checked", job.failure
    assert job.error_rows == 0, job.report
    assert job.total_rows == content.count("\n") - 1


def test_the_report_names_each_row_by_worker_not_by_ids(tenants, payroll, client):
    client.force_login(make_actor(tenants["provider_a"].organization).user)
    run = payroll["run"]
    content = f"worker_external_id,run,status\nW-2,{run.id},paid\n"
    job = upload(client, "payroll_entries", content)
    body = client.get(f"/provider/imports/{job.id}/", {"show": "all"}).content.decode()
    second = PayrollEntry.objects.get(run=run, worker__external_id="W-2").worker
    assert f"{second.full_name} · October 2026" in body
    assert str(run.id) not in body  # the run's id is not how a person reads the row
