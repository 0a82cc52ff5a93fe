import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import ClientFactory, make_actor
from assignments.tests.factories import AssignmentFactory, TeamFactory
from providers.tests.factories import ProviderFactory
from risks.rules import RULES
from risks.services.digest import risk_digest_send
from risks.tests.factories import RiskFlagFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_digest_goes_to_the_hiring_manager_and_provider_admin_with_their_flags():
    acme, globex = ClientFactory(name="Acme"), ClientFactory(name="Globex")
    provider = ProviderFactory()
    manager = make_actor(acme, role=Role.HIRING_MANAGER)
    bystander = make_actor(acme, role=Role.HIRING_MANAGER)
    other_manager = make_actor(globex, role=Role.HIRING_MANAGER)
    admin = make_actor(provider.organization, role=Role.PROVIDER_ADMIN)
    make_actor(provider.organization, role=Role.PAYROLL_OFFICER)
    team = TeamFactory(client=acme)
    team.managers.add(manager.user)
    worker = WorkerFactory(client=acme, provider=provider)
    AssignmentFactory(worker=worker, team=team)
    now = timezone.now()
    new = RiskFlagFactory(worker=worker, first_seen_at=now - dt.timedelta(hours=2))
    escalated = RiskFlagFactory(
        worker=worker, rule_code="checkin_overdue", first_seen_at=now - dt.timedelta(days=5), escalated_at=now
    )
    RiskFlagFactory(worker=worker, rule_code="not_dedicated", first_seen_at=now - dt.timedelta(days=5))  # old news
    globex_worker = WorkerFactory(client=globex)
    globex_team = TeamFactory(client=globex)
    AssignmentFactory(worker=globex_worker, team=globex_team, manager=other_manager.user)
    RiskFlagFactory(worker=globex_worker, rule_code="checkin_low_rating")

    result = risk_digest_send(now=now)

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {manager.user.email, admin.user.email, other_manager.user.email}
    assert bystander.user.email not in by_recipient
    body = by_recipient[manager.user.email].body
    assert (
        new.evidence["summary"] in body and "ESCALATED (1)" in body and "Worker not dedicated to one client" not in body
    )
    assert f"http://outstaff.example.com/risks/flags/{new.pk}/" in body and f"/risks/flags/{escalated.pk}/" in body
    assert "1 new, 1 escalated" in by_recipient[manager.user.email].subject
    assert "Low check-in rating" not in by_recipient[admin.user.email].body
    assert RULES[escalated.rule_code].title in by_recipient[admin.user.email].body
    assert "Low check-in rating" in by_recipient[other_manager.user.email].body
    assert worker.full_name not in by_recipient[other_manager.user.email].body
    assert result == {"recipients": 3, "flags": 3}


def test_no_flags_no_mail():
    assert risk_digest_send() == {"recipients": 0, "flags": 0}
    assert mail.outbox == []


def test_digest_leaves_out_flags_about_another_managers_assignment():
    acme, provider = ClientFactory(name="Acme"), ProviderFactory()
    former = make_actor(acme, role=Role.HIRING_MANAGER)
    current_manager = make_actor(acme, role=Role.HIRING_MANAGER)
    old_team, new_team = TeamFactory(client=acme), TeamFactory(client=acme)
    old_team.managers.add(former.user)
    new_team.managers.add(current_manager.user)
    worker = WorkerFactory(client=acme, provider=provider)
    AssignmentFactory(
        worker=worker, team=old_team, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 6, 30), status="ended"
    )
    placement = AssignmentFactory(worker=worker, team=new_team, starts_on=dt.date(2025, 7, 1))
    RiskFlagFactory(worker=worker, assignment=placement, rule_code="tenure_cap_approaching")
    RiskFlagFactory(worker=worker, rule_code="checkin_overdue", category="attrition")

    risk_digest_send()

    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    assert "30/60/90-day check-in overdue" in by_recipient[former.user.email]
    assert "Placement approaching the legal maximum" not in by_recipient[former.user.email]
    assert "Placement approaching the legal maximum" in by_recipient[current_manager.user.email]
