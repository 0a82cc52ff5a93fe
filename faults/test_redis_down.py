"""Redis killed under a running gunicorn (production settings): every page and API write still
answers correctly, the re-evaluations they owe wait in PostgreSQL, and a worker started once Redis
is back (as beat's drain would) catches up. The CSV import of a file too large for the request
finishes instead of showing "Checking" for ever."""

import datetime as dt

from django.test import Client

from accounts.services import api_key_create
from accounts.tests.factories import make_actor
from providers.models import ComplianceItem, CsvImport
from providers.tests.factories import ComplianceItemFactory, PayrollEntryFactory, PayrollRunFactory
from risks.models import PendingRescan, RiskFlag
from risks.tests.scenarios import contractor_directed_full_time

from .conftest import production_env
from .processes import child_env, send_task, wait_for

RULE = "contractor_full_time_direction"


def _bearer(organization, scopes):
    _, raw = api_key_create(organization=organization, name="fault test", scopes=scopes)
    return {"Authorization": f"Bearer {raw}"}


def _csv(good_external_id: str, bad_rows: int) -> str:
    """Over the inline limit (2,000 rows), so it goes to the background; one good row, the rest name
    workers that do not exist (the dry run reports them, and the good row can still be applied)."""
    lines = ["worker_external_id,period_start,status,failure_reason", f"{good_external_id},2026-10-01,paid,"]
    lines += [f"NOBODY-{n},2026-10-01,paid," for n in range(bad_rows)]
    return "\n".join(lines) + "\n"


def _multipart(fields: dict, file_name: str, content: str) -> tuple[str, bytes]:
    boundary = "----faults-boundary-7d1c"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        f"Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    )
    return f"multipart/form-data; boundary={boundary}", "".join(parts).encode()


def test_with_redis_down_pages_and_writes_answer_and_rescans_wait_in_postgres(
    redis_server, secret_key, start_web, start_worker, http_for
):
    worker, assignment = contractor_directed_full_time()
    worker.external_id = "W-1"
    worker.save()
    item = ComplianceItemFactory(worker=worker, kind="right_to_work", status="submitted")
    run = PayrollRunFactory(provider=worker.provider, country="GB", period_start=dt.date(2026, 10, 1))
    PayrollEntryFactory(run=run, worker=worker)
    provider_org = worker.provider.organization
    officer = make_actor(provider_org)
    browser = Client()
    browser.force_login(officer.user)
    assert not RiskFlag.objects.filter(worker=worker).exists() and not PendingRescan.objects.exists()

    web = start_web(production_env(secret_key, REDIS_URL=redis_server.url))
    api = http_for(web.url)
    api.headers = _bearer(provider_org, ["workers:write", "compliance:write", "payroll:write", "risks:read"])
    page = http_for(web.url)
    page.cookies["sessionid"] = browser.cookies["sessionid"].value
    assert api.get(f"/api/v1/workers/{worker.id}/").status == 200

    redis_server.kill()
    answers = []

    def check(response, *expected):
        answers.append(response.status)
        assert response.status in expected, (response.status, response.text[:800])
        assert response.seconds < 10, f"took {response.seconds:.1f}s"
        return response

    # API writes: the ones that answered 500 after committing.
    check(api.request("PATCH", f"/api/v1/workers/{worker.id}/", json_body={"role_title": "Lead engineer"}), 200)
    check(api.request("PATCH", f"/api/v1/compliance-items/{item.id}/", json_body={"status": "verified"}), 200)
    bulk = [{"worker_external_id": "W-1", "kind": "tax_registration", "status": "submitted"}]
    check(api.request("POST", "/api/v1/compliance-items/bulk/", json_body={"items": bulk}), 200)
    check(api.request("PATCH", f"/api/v1/workers/{worker.id}/", json_body={"work_email": "not-an-email"}), 400)
    for path in ("/api/v1/workers/", "/api/v1/compliance-items/", "/api/v1/risk-flags/"):
        check(api.get(path), 200)
    # Pages, and the compliance-item page's save.
    for path in ("/", "/workers/", f"/workers/{worker.id}/", "/provider/compliance/", "/provider/imports/", "/risks/"):
        check(page.get(path), 200)
    saved = check(page.form_post(f"/provider/compliance/{item.id}/", {"status": "rejected", "notes": "blurred"}), 302)
    assert saved.getheader("Location")
    # A CSV import large enough for the background: processed without the broker, never stuck.
    check(page.get("/provider/imports/"), 200)  # sets the CSRF cookie
    content_type, body = _multipart(
        {"kind": "payroll_entries", "csrfmiddlewaretoken": page.cookies["csrftoken"]}, "oct.csv", _csv("W-1", 2100)
    )
    check(page.request("POST", "/provider/imports/", body=body, headers={"Content-Type": content_type}), 302)
    job = CsvImport.objects.get()
    assert job.status == "checked" and job.error_rows == 2100, (job.status, job.failure)
    applied = page.form_post(f"/provider/imports/{job.id}/", {"mode": "good_rows_only"})
    check(applied, 302)
    job.refresh_from_db()
    assert job.status == "applied" and job.applied_rows == 1
    assert 500 not in answers

    item.refresh_from_db()
    assert item.status == "rejected" and ComplianceItem.objects.filter(worker=worker, kind="tax_registration").exists()
    # What the changes owe is in PostgreSQL, released for the drain (no task could be enqueued).
    pending = PendingRescan.objects.get(worker_id=worker.id)
    assert pending.enqueued_at is None
    assert not RiskFlag.objects.filter(worker=worker).exists()

    # Redis is back (empty: it kept nothing); a worker runs the drain that beat sends every minute.
    redis_server.start()
    start_worker(child_env(REDIS_URL=redis_server.url))
    send_task(redis_server.url, "risks.tasks.risk_rescans_drain_task")
    wait_for(lambda: not PendingRescan.objects.exists(), timeout=60, what="the drain")
    assert RiskFlag.objects.filter(worker=worker, rule_code=RULE, status="open").count() == 1
    assert assignment.pk  # the flag is about the seeded contractor-at-full-time assignment
