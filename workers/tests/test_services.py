import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.tests.factories import ClientFactory, make_actor
from providers.tests.factories import ProviderFactory
from workers import services
from workers.models import CheckIn, Worker
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def test_worker_create_schedules_day_30_60_90_check_ins():
    client = ClientFactory()
    actor = make_actor(client)
    worker = services.worker_create(
        actor=actor,
        provider=ProviderFactory(),
        first_name="Ada",
        last_name="L",
        work_email="ada@example.test",
        country="pl",
        start_date=dt.date(2026, 3, 2),
    )
    due = dict(CheckIn.objects.filter(worker=worker).values_list("kind", "due_on"))
    assert due == {
        "day_30": dt.date(2026, 4, 1),
        "day_60": dt.date(2026, 5, 1),
        "day_90": dt.date(2026, 5, 31),
    }
    assert worker.country == "PL"


def test_moving_the_start_date_moves_open_check_ins_but_not_done_ones():
    worker = WorkerFactory(start_date=dt.date(2026, 1, 1))
    services.check_ins_schedule(worker=worker)
    CheckIn.objects.filter(worker=worker, kind="day_30").update(
        done_on=dt.date(2026, 1, 31), engagement=4, role_clarity=4, manager_relationship=4
    )
    actor = make_actor(worker.client)
    services.worker_update(actor=actor, instance=worker, start_date=dt.date(2026, 2, 1))
    due = dict(CheckIn.objects.filter(worker=worker).values_list("kind", "due_on"))
    assert due["day_30"] == dt.date(2026, 1, 31)  # done: left alone
    assert due["day_60"] == dt.date(2026, 4, 2)
    assert CheckIn.objects.filter(worker=worker).count() == 3


def test_check_in_record_requires_all_three_ratings_and_changes_nothing_otherwise():
    check_in = CheckInFactory()
    actor = make_actor(check_in.worker.client, role="hiring_manager")
    with pytest.raises(ValidationError) as error:
        services.check_in_record(actor=actor, instance=check_in, done_on=dt.date(2026, 2, 14), engagement=4)
    assert set(error.value.message_dict) == {"role_clarity", "manager_relationship"}
    check_in.refresh_from_db()
    assert check_in.done_on is None


def test_check_in_record_saves_ratings_and_manager():
    check_in = CheckInFactory()
    actor = make_actor(check_in.worker.client, role="hiring_manager")
    services.check_in_record(
        actor=actor,
        instance=check_in,
        done_on=dt.date(2026, 2, 14),
        engagement=2,
        role_clarity=5,
        manager_relationship=3,
        notes="Unclear priorities",
    )
    check_in.refresh_from_db()
    assert (check_in.engagement, check_in.role_clarity, check_in.manager_relationship) == (2, 5, 3)
    assert check_in.manager == actor.user


def test_offboard_requires_reason_and_is_not_half_applied():
    worker = WorkerFactory()
    actor = make_actor(worker.client)
    with pytest.raises(ValidationError):
        services.worker_offboard(actor=actor, worker=worker, exit_date=dt.date(2026, 3, 1), exit_reason="")
    worker.refresh_from_db()
    assert worker.status == "active" and worker.exit_date is None


def test_offboard_before_start_is_rejected():
    worker = WorkerFactory(start_date=dt.date(2026, 3, 1))
    actor = make_actor(worker.client)
    with pytest.raises(ValidationError):
        services.worker_offboard(actor=actor, worker=worker, exit_date=dt.date(2026, 2, 1), exit_reason="voluntary")


def test_offboard_records_exit():
    worker = WorkerFactory()
    actor = make_actor(worker.provider.organization)
    services.worker_offboard(actor=actor, worker=worker, exit_date=dt.date(2026, 3, 1), exit_reason="voluntary")
    worker.refresh_from_db()
    assert (worker.status, worker.exit_reason) == ("offboarded", "voluntary")


def test_reinstate_undoes_an_offboarding_back_to_onboarding_only():
    worker = WorkerFactory(status="active")
    actor = make_actor(worker.provider.organization)
    with pytest.raises(ValidationError):
        services.worker_reinstate(actor=actor, worker=worker)
    services.worker_offboard(actor=actor, worker=worker, exit_date=dt.date(2026, 3, 1), exit_reason="not_stated")
    services.worker_reinstate(actor=actor, worker=worker)
    worker.refresh_from_db()
    assert (worker.status, worker.exit_date, worker.exit_reason) == ("onboarding", None, "")


def test_database_rejects_duplicate_external_id_per_provider():
    worker = WorkerFactory(external_id="E-1")
    WorkerFactory(external_id="E-1")  # another provider: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkerFactory(external_id="E-1", provider=worker.provider)


def test_database_rejects_offboarded_without_exit_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkerFactory(status="offboarded", exit_date=None)


def test_database_rejects_check_in_rating_out_of_range():
    check_in = CheckInFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.filter(pk=check_in.pk).update(engagement=6)


def test_provider_creating_worker_must_name_client():
    provider = ProviderFactory()
    actor = make_actor(provider.organization)
    with pytest.raises(ValidationError) as error:
        services.worker_create(actor=actor, first_name="A", last_name="B", work_email="a@b.test", country="DE")
    assert "client" in error.value.message_dict
    assert Worker.objects.count() == 0
