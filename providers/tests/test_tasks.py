import datetime as dt

import pghistory.models
import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import make_actor
from providers import services
from providers.tasks import compliance_daily_task
from providers.tests.factories import ComplianceItemFactory

pytestmark = pytest.mark.django_db


def test_beat_runs_the_daily_compliance_task():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "providers.tasks.compliance_daily_task" in tasks


def test_past_expiry_items_turn_expired_once(tenants):
    today = timezone.localdate()
    past = ComplianceItemFactory(
        worker=tenants["mine"], kind="right_to_work", status="verified", expires_on=today - dt.timedelta(days=1)
    )
    today_item = ComplianceItemFactory(
        worker=tenants["mine"], kind="tax_registration", status="verified", expires_on=today
    )
    missing = ComplianceItemFactory(
        worker=tenants["mine"], kind="ip_assignment", status="missing", expires_on=today - dt.timedelta(days=3)
    )
    assert services.compliance_items_expire(today=today) == 1
    assert services.compliance_items_expire(today=today) == 0
    past.refresh_from_db(), today_item.refresh_from_db(), missing.refresh_from_db()
    assert (past.status, today_item.status, missing.status) == ("expired", "verified", "missing")


def test_daily_task_expires_audits_and_emails_each_providers_admins(tenants):
    today = timezone.localdate()
    admin_a = make_actor(tenants["provider_a"].organization, role="provider_admin").user
    make_actor(tenants["provider_a"].organization, role="payroll_officer")
    admin_b = make_actor(tenants["provider_b"].organization, role="provider_admin").user
    expired = ComplianceItemFactory(
        worker=tenants["mine"], kind="right_to_work", status="verified", expires_on=today - dt.timedelta(days=2)
    )
    ComplianceItemFactory(
        worker=tenants["mine"], kind="tax_registration", status="verified", expires_on=today + dt.timedelta(days=20)
    )
    ComplianceItemFactory(
        worker=tenants["theirs"], kind="tax_registration", status="verified", expires_on=today + dt.timedelta(days=90)
    )
    result = compliance_daily_task()
    assert result == {"expired": 1, "digests": 1}
    expired.refresh_from_db()
    assert expired.status == "expired"
    event = expired.events.order_by("-pgh_id").first()
    assert pghistory.models.Context.objects.get(id=event.pgh_context_id).metadata["channel"] == "system"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [admin_a.email] and admin_b.email not in message.to
    assert "Tax registration expires" in message.body and "Right to work expired" in message.body
    assert tenants["theirs"].full_name not in message.body
    assert "http://outstaff.example.com/provider/compliance/" in message.body


def test_no_digest_without_anything_to_report(tenants):
    make_actor(tenants["provider_a"].organization, role="provider_admin")
    ComplianceItemFactory(
        worker=tenants["mine"], status="verified", expires_on=timezone.localdate() + dt.timedelta(days=200)
    )
    assert compliance_daily_task()["digests"] == 0
    assert mail.outbox == []
