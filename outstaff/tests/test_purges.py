"""Scheduled purges (issue 10, point 5): each beat entry names a registered task, and each task
deletes exactly the rows past their stated retention."""

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils import timezone

from accounts.retention import LOGIN_FAILURE_RETENTION
from accounts.tasks import login_failures_purge_task
from outstaff.celery import app
from outstaff.models import IdempotencyRecord
from outstaff.retention import IDEMPOTENCY_RETENTION
from outstaff.tasks import idempotency_records_purge_task

pytestmark = pytest.mark.django_db


def test_every_beat_entry_names_a_registered_task(settings):
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
    assert settings.CELERY_BEAT_SCHEDULE["login-failures-purge-daily"]["task"] == login_failures_purge_task.name
    assert (
        settings.CELERY_BEAT_SCHEDULE["idempotency-records-purge-daily"]["task"] == idempotency_records_purge_task.name
    )


def test_failed_logins_are_purged_after_their_retention():
    now = timezone.now()
    old = now - LOGIN_FAILURE_RETENTION - dt.timedelta(hours=1)
    recent = now - LOGIN_FAILURE_RETENTION + dt.timedelta(hours=1)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        for name, when in (("old", old), ("recent", recent)):
            extra = {"get_data": "", "post_data": "", "failures_since_start": 1} if model is AccessAttempt else {}
            row = model.objects.create(username=name, ip_address="192.0.2.1", user_agent="test", **extra)
            model.objects.filter(pk=row.pk).update(attempt_time=when)
    assert login_failures_purge_task() == 3
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert list(model.objects.values_list("username", flat=True)) == ["recent"], model


def test_idempotency_records_are_purged_after_their_retention():
    now = timezone.now()
    old = IdempotencyRecord.objects.create(owner="o", key="old", path="/api/v1/workers/", request_hash="x")
    IdempotencyRecord.objects.create(owner="o", key="new", path="/api/v1/workers/", request_hash="y")
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=now - IDEMPOTENCY_RETENTION - dt.timedelta(hours=1))
    assert idempotency_records_purge_task() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_uploaded_csv_files_are_cleared_after_their_retention(settings):
    from providers.choices import CsvImportStatus
    from providers.models import CsvImport
    from providers.retention import CSV_IMPORT_RETENTION, PURGED_FAILURE
    from providers.tasks import csv_imports_purge_task
    from providers.tests.factories import ProviderFactory

    assert settings.CELERY_BEAT_SCHEDULE["csv-imports-purge-daily"]["task"] == csv_imports_purge_task.name
    provider = ProviderFactory()
    old = timezone.now() - CSV_IMPORT_RETENTION - dt.timedelta(hours=1)
    recent = timezone.now() - CSV_IMPORT_RETENTION + dt.timedelta(hours=1)
    content = "worker_external_id,kind,status\nHR-1,right_to_work,verified\n"
    rows = {}
    for name, status, when in [
        ("applied_old", CsvImportStatus.APPLIED, old),
        ("checked_old", CsvImportStatus.CHECKED, old),
        ("applying_old", CsvImportStatus.APPLYING, old),
        ("applied_recent", CsvImportStatus.APPLIED, recent),
    ]:
        job = CsvImport.objects.create(
            provider=provider,
            kind="compliance_items",
            file_name=f"{name}.csv",
            content=content,
            status=status,
            total_rows=1,
            applied_rows=1,
            report=[{"index": 0, "key": "HR-1"}],
        )
        CsvImport.objects.filter(pk=job.pk).update(updated_at=when)
        rows[name] = job
    assert csv_imports_purge_task() == 2
    fresh = {name: CsvImport.objects.get(pk=job.pk) for name, job in rows.items()}
    assert (fresh["applied_old"].content, fresh["applied_old"].report) == ("", [])
    assert (fresh["applied_old"].status, fresh["applied_old"].applied_rows) == (CsvImportStatus.APPLIED, 1)
    assert (fresh["checked_old"].status, fresh["checked_old"].failure) == (CsvImportStatus.FAILED, PURGED_FAILURE)
    assert fresh["applying_old"].content == content and fresh["applied_recent"].content == content
    assert csv_imports_purge_task() == 0
    # The import's page still answers, saying what happened to the file.
    from django.test import Client

    from accounts.tests.factories import make_actor

    page = Client()
    page.force_login(make_actor(provider.organization).user)
    body = page.get(f"/provider/imports/{rows['checked_old'].pk}/")
    assert body.status_code == 200 and "deleted after 30 days" in body.content.decode()
    assert page.get(f"/provider/imports/{rows['applied_old'].pk}/").status_code == 200
