import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from django.test import RequestFactory
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, User
from assignments.choices import AssignmentStatus, DirectedBy
from assignments.models import Assignment, Team
from demo import DEMO_LOGINS, DEMO_PASSWORD
from demo.services import add_months, demo_counts, demo_seed
from providers.choices import ContractType, EngagementModel, PayrollEntryStatus
from providers.models import ComplianceItem, EmploymentContract, LegalEntity, PayrollEntry
from screening.choices import ScreeningStatus
from screening.models import Screening
from screening.selectors import screening_pass_failures
from workers.choices import CheckInKind, WorkerStatus
from workers.models import CheckIn, Worker

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (a seed takes seconds) and roll it back afterwards; each test runs
    in its own savepoint inside this transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = demo_seed()
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def today():
    return timezone.localdate()


def _snapshot():
    tables = [Worker, EmploymentContract, Assignment, PayrollEntry, ComplianceItem, CheckIn, Team]
    return {model.__name__: model.objects.aggregate(last=Max("updated_at"))["last"] for model in tables}


def test_first_run_creates_the_demo(seeded):
    counts = demo_counts()
    assert seeded.changed
    assert 38 <= counts["Workers"] <= 45
    assert counts["Organizations"] == 5
    assert set(Worker.objects.values_list("country", flat=True)) == {"DE", "PL", "GB", "US", "IN", "PH", "BR"}


def test_second_run_changes_nothing(seeded):
    counts, last_updates = demo_counts(), _snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "already up to date" in out.getvalue()
    again = demo_seed()
    assert not again.changed, (again.created, again.updated)
    assert demo_counts() == counts
    assert _snapshot() == last_updates


def test_contractor_at_full_time_directed_by_client(seeded):
    assignment = Assignment.objects.get(
        worker__contracts__contract_type=ContractType.CONTRACTOR,
        directed_by=DirectedBy.CLIENT,
        status=AssignmentStatus.ACTIVE,
    )
    assert assignment.weekly_hours == 40
    assert assignment.schedule_set_by_client is True
    contract = assignment.worker.contracts.get()
    assert contract.weekly_hours == 40 and contract.ends_on is None


def test_german_placement_seventeen_months_in_with_the_same_client(seeded, today):
    assignment = Assignment.objects.select_related("worker").get(
        worker__country="DE", status=AssignmentStatus.ACTIVE, starts_on=add_months(today, -17)
    )
    assert assignment.client_id == assignment.worker.client_id
    assert assignment.worker.start_date == assignment.starts_on
    assert not Assignment.objects.filter(worker=assignment.worker).exclude(pk=assignment.pk).exists()
    entity = assignment.worker.contracts.get().legal_entity
    assert entity.country == "DE" and entity.staffing_licence_number
    assert entity.staffing_licence_expires_on > today


def test_worker_35_days_in_without_day_30_check_in(seeded, today):
    worker = Worker.objects.get(start_date=today - dt.timedelta(days=35))
    assert worker.status == WorkerStatus.ACTIVE
    check_in = worker.check_ins.get(kind=CheckInKind.DAY_30)
    assert check_in.done_on is None
    assert check_in.due_on == today - dt.timedelta(days=5)


def test_overdue_check_ins_are_only_the_planted_one(seeded, today):
    overdue = CheckIn.objects.filter(
        done_on__isnull=True, due_on__lt=today, worker__status=WorkerStatus.ACTIVE
    ).values_list("worker__start_date", flat=True)
    assert list(overdue) == [today - dt.timedelta(days=35)]


def test_outsourcing_contract_directed_by_the_client(seeded):
    contract = EmploymentContract.objects.get(
        engagement_model=EngagementModel.OUTSOURCING,
        worker__assignments__directed_by=DirectedBy.CLIENT,
        worker__assignments__status=AssignmentStatus.ACTIVE,
    )
    assert contract.contract_type == ContractType.EMPLOYMENT


def test_polish_worker_with_fifteen_months_of_placements_in_thirty_six(seeded, today):
    window_start = add_months(today, -36)
    worker = Worker.objects.distinct().get(country="PL", assignments__ends_on__isnull=False, status=WorkerStatus.ACTIVE)
    placements = list(worker.assignments.filter(client=worker.client).order_by("starts_on"))
    assert len(placements) == 3
    days = sum(((a.ends_on or today) - max(a.starts_on, window_start)).days for a in placements)
    assert add_months(today, -16) < today - dt.timedelta(days=days) <= add_months(today, -15)
    gaps = [
        (later.starts_on - earlier.ends_on).days for earlier, later in zip(placements, placements[1:], strict=False)
    ]
    assert all(gap > 90 for gap in gaps)


def test_provider_without_entity_in_a_country_where_it_employs(seeded):
    missing = [
        worker
        for worker in Worker.objects.select_related("provider")
        if not LegalEntity.objects.filter(provider=worker.provider, country=worker.country, is_active=True).exists()
    ]
    assert [(w.provider.organization.slug, w.country) for w in missing] == [("vistula", "GB")]


def test_staffing_licences_valid_in_germany_and_expired_in_poland(seeded, today):
    german = LegalEntity.objects.get(country="DE")
    assert german.staffing_licence_number and german.staffing_licence_expires_on > today
    expired = LegalEntity.objects.filter(country="PL", staffing_licence_expires_on__lt=today)
    assert expired.count() == 1


def test_payroll_has_failures_with_reasons_and_a_failed_first_payroll(seeded, today):
    failed = PayrollEntry.objects.filter(status=PayrollEntryStatus.FAILED)
    assert failed.count() >= 3
    assert all(entry.failure_reason for entry in failed)
    first_entries = {}
    for entry in PayrollEntry.objects.select_related("run", "worker").order_by("run__period_start"):
        first_entries.setdefault(entry.worker_id, entry)
    new_and_failed = [
        e
        for e in first_entries.values()
        if e.status == PayrollEntryStatus.FAILED and e.worker.start_date > today - dt.timedelta(days=90)
    ]
    assert len(new_and_failed) == 1
    assert PayrollEntry.objects.filter(run__period_start=add_months(today.replace(day=1), -3)).exists()
    held = PayrollEntry.objects.get(status=PayrollEntryStatus.ON_HOLD)
    assert held.status_reason and held.run.period_start == today.replace(day=1)


def test_some_compliance_items_are_missing_or_expired(seeded):
    assert ComplianceItem.objects.filter(status="missing").count() >= 2
    assert ComplianceItem.objects.filter(status="expired").exists()


def test_no_worker_skipped_the_gate_silently(seeded):
    for worker in Worker.objects.exclude(status=WorkerStatus.ONBOARDING):
        passed = worker.candidate.screenings.filter(status=ScreeningStatus.PASSED, template__isnull=False).exists()
        assert passed or (worker.gate_override_reason and worker.gate_override_by_id), worker


def test_passed_screenings_meet_their_pass_rule_unless_overridden(seeded):
    passed = Screening.objects.filter(status=ScreeningStatus.PASSED).select_related("template")
    assert passed.count() >= 35
    overridden = []
    for screening in passed:
        assert screening.composite_score is not None and screening.expected_validity is not None
        failures = screening_pass_failures(screening=screening)
        if screening.override_reason:
            overridden.append(screening)
            assert failures, screening
        else:
            assert not failures, (screening, failures)
    assert len(overridden) == 1


def test_assignments_do_not_overlap_and_follow_their_team_managers(seeded):
    for assignment in Assignment.objects.select_related("team", "worker"):
        assert assignment.client_id == assignment.worker.client_id
        assert assignment.team.managers.filter(pk=assignment.manager_id).exists()
    for membership in Membership.objects.filter(role=Role.HIRING_MANAGER):
        assert Team.objects.filter(client=membership.organization, managers=membership.user).exists()


@pytest.mark.parametrize("role", Role.values)
def test_every_role_has_a_demo_login_that_works(seeded, client, role):
    emails = [email for email, _, _ in DEMO_LOGINS]
    membership = Membership.objects.filter(role=role, user__email__in=emails).select_related("user").first()
    assert membership is not None, f"no demo login for {role}"
    assert client.login(
        request=RequestFactory().post("/login/"), username=membership.user.email, password=DEMO_PASSWORD
    )


def test_superuser_login(seeded, client):
    admin = User.objects.get(email=DEMO_LOGINS[0][0])
    assert admin.is_superuser and admin.is_staff
    assert client.login(request=RequestFactory().post("/login/"), username=admin.email, password=DEMO_PASSWORD)
    # Staff pass a TOTP code before the admin opens (accounts.middleware).
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/")


def test_every_listed_login_authenticates(seeded, client):
    for email, password, _ in DEMO_LOGINS:
        assert client.login(request=RequestFactory().post("/login/"), username=email, password=password), email
        client.logout()


def test_print_logins(seeded):
    out = StringIO()
    call_command("seed_demo", "--print-logins", stdout=out)
    for email, _, _ in DEMO_LOGINS:
        assert email in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()


def test_a_later_run_moves_the_dates_forward_without_duplicates(seeded, today):
    later = today + dt.timedelta(days=45)
    before = demo_counts()
    moved = demo_seed(today=later)
    assert moved.changed
    after = demo_counts()
    for name in ("Workers", "Employment contracts", "Assignments", "Check-ins", "Compliance items", "Screenings"):
        assert after[name] == before[name], name
    assert after["Payroll runs"] >= before["Payroll runs"]  # this month's run and, past a month end, the next
    assert Worker.objects.get(external_id="W-001").start_date == add_months(later, -17)
    assert not demo_seed(today=later).changed


def test_check_ins_follow_the_start_date_and_stop_at_the_exit(seeded):
    offsets = {CheckInKind.DAY_30: 30, CheckInKind.DAY_60: 60, CheckInKind.DAY_90: 90}
    check_ins = CheckIn.objects.select_related("worker")
    assert check_ins.count() > 100
    for check_in in check_ins:
        worker = check_in.worker
        assert check_in.due_on == worker.start_date + dt.timedelta(days=offsets[check_in.kind])
        if worker.exit_date:
            assert check_in.due_on <= worker.exit_date
        if check_in.done_on:
            assert None not in (check_in.engagement, check_in.role_clarity, check_in.manager_relationship)


def test_a_worker_changed_beyond_repair_is_left_alone_not_fatal(seeded, today):
    seeded_assignment = Assignment.objects.get(external_id="ASG-W-001")
    seeded_assignment.status, seeded_assignment.ends_on = AssignmentStatus.ENDED, today - dt.timedelta(days=10)
    seeded_assignment.save()
    Assignment.objects.create(
        client=seeded_assignment.client,
        team=seeded_assignment.team,
        worker=seeded_assignment.worker,
        manager=seeded_assignment.manager,
        external_id="HR-7781",
        role="Staff engineer",
        starts_on=today - dt.timedelta(days=5),
        weekly_hours=40,
    )
    result = demo_seed()
    assert [reason.split()[0] for reason in result.skipped] == ["W-001"]
    assert Assignment.objects.get(external_id="ASG-W-001").status == AssignmentStatus.ENDED
    assert not demo_seed().changed


SMOKE_PATHS = [
    "/",
    "/workers/",
    "/workers/check-ins/",
    "/teams/",
    "/screening/",
    "/risks/",
    "/risks/retention/",
    "/provider/payroll/",
    "/provider/compliance/",
    "/api/v1/workers/",
    "/api/v1/assignments/",
    "/api/v1/contracts/",
    "/api/v1/payroll-entries/",
    "/api/v1/compliance-items/",
    "/api/v1/check-ins/",
    "/api/v1/screenings/",
    "/api/v1/risk-flags/",
]


@pytest.mark.parametrize("email", [email for email, _, _ in DEMO_LOGINS])
def test_every_demo_login_opens_the_main_pages_without_a_server_error(seeded, client, email):
    """The demo data is what people click through first: no page or list may crash on it (pages a
    role may not see answer 403/404, which is fine)."""
    assert client.login(request=RequestFactory().post("/login/"), username=email, password=DEMO_PASSWORD)
    worker = Worker.objects.get(external_id="W-033")
    for path in [*SMOKE_PATHS, f"/workers/{worker.pk}/"]:
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)


def test_if_empty_keeps_what_the_user_changed(seeded):
    worker = Worker.objects.get(external_id="W-001")
    Worker.objects.filter(pk=worker.pk).update(role_title="Staff engineer (edited in the demo)")
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "leaving it as it is" in out.getvalue()
    worker.refresh_from_db()
    assert worker.role_title == "Staff engineer (edited in the demo)"


def test_a_reseed_that_repairs_a_row_sends_the_event_carrying_it(seeded):
    """The seed's own writes go through the payload-carrying event path (no id-only events)."""
    from integrations.models import WebhookEvent
    from integrations.tests.factories import WebhookEndpointFactory

    contract = EmploymentContract.objects.select_related("worker").order_by("pk").first()
    seeded_hours = contract.weekly_hours
    EmploymentContract.objects.filter(pk=contract.pk).update(weekly_hours=seeded_hours + 1)
    WebhookEndpointFactory(organization=contract.worker.client)
    WebhookEvent.objects.all().delete()

    again = demo_seed()

    assert again.changed
    events = [event.payload for event in WebhookEvent.objects.filter(organization=contract.worker.client)]
    assert events, "the repaired contract is announced"
    assert all({"resource_type", "id", "change", "changed_fields", "object"} <= set(e["data"]) for e in events)
    [repaired] = [e for e in events if e["type"] == "contract.changed" and e["data"]["id"] == str(contract.pk)]
    assert repaired["data"]["change"] == "updated" and repaired["data"]["changed_fields"] == ["weekly_hours"]
    assert repaired["data"]["object"]["weekly_hours"] == str(seeded_hours) or float(
        repaired["data"]["object"]["weekly_hours"]
    ) == float(seeded_hours)
