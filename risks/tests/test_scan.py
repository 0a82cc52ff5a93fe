"""The scan service against PostgreSQL: flags open with evidence, reruns change nothing, cleared
conditions resolve, dismissals persist until the evidence changes, query count does not grow with
workers, and an advisory lock keeps two scans apart."""

import datetime as dt
import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import ClientFactory, make_actor
from assignments.models import Assignment
from assignments.tests.factories import AssignmentFactory
from providers.tests.factories import EmploymentContractFactory, ProviderFactory
from risks.models import RiskFlag, RiskScanRun
from risks.services import ScanAlreadyRunning, risk_flag_dismiss, risk_scan_run, scan_lock
from workers.services import worker_create
from workers.tests.factories import WorkerFactory

from .scenarios import TODAY, contractor_directed_full_time, licensed_entity

pytestmark = pytest.mark.django_db


def current(worker, code):
    return RiskFlag.objects.exclude(status="resolved").get(worker=worker, rule_code=code)


def test_scan_opens_flags_with_evidence_in_plain_words():
    worker, assignment = contractor_directed_full_time()
    report = risk_scan_run(today=TODAY)
    flag = current(worker, "contractor_full_time_direction")
    assert flag.assignment == assignment and flag.client == worker.client and flag.provider == worker.provider
    assert flag.status == "open" and flag.severity == "critical"
    assert flag.evidence["summary"].startswith(
        f"contractor working 40 h/week on a schedule set by {worker.client.name} since 2026-02-01 — IR35 control test"
    )
    assert flag.evidence["facts"]["weekly_hours"] == 40
    assert flag.evidence["jurisdiction"]["code"] == "GB"
    assert ("contractor_full_time_direction", worker.id) in {(c.rule_code, c.worker_id) for c in report.opened}


def test_californian_worker_is_judged_by_the_california_pack():
    worker, _ = contractor_directed_full_time(country="US", subdivision="US-CA")
    federal, _ = contractor_directed_full_time(country="US")
    risk_scan_run(today=TODAY)
    california = current(worker, "contractor_full_time_direction").evidence
    assert california["jurisdiction"]["code"] == "US-CA"
    assert "California ABC prong A" in california["summary"]
    assert current(federal, "contractor_full_time_direction").evidence["jurisdiction"]["code"] == "US"


def test_rerun_is_idempotent():
    worker, _ = contractor_directed_full_time()
    risk_scan_run(today=TODAY)
    before = list(RiskFlag.objects.order_by("id").values("id", "status", "evidence_hash", "updated_at"))
    events_before = RiskFlag.pgh_event_model.objects.count()
    report = risk_scan_run(today=TODAY)
    assert report.opened == [] and report.resolved == [] and report.reopened == []
    assert len(report.still_open) == len(before) > 0
    assert list(RiskFlag.objects.order_by("id").values("id", "status", "evidence_hash", "updated_at")) == before
    assert RiskFlag.pgh_event_model.objects.count() == events_before


def test_flag_resolves_automatically_when_condition_clears():
    worker, assignment = contractor_directed_full_time()
    risk_scan_run(today=TODAY)
    flag = current(worker, "contractor_full_time_direction")
    Assignment.objects.filter(pk=assignment.pk).update(weekly_hours=Decimal("20"), schedule_set_by_client=False)
    report = risk_scan_run(today=TODAY)
    flag.refresh_from_db()
    assert flag.status == "resolved" and flag.resolved_at is not None
    assert "no longer applies" in flag.status_reason and flag.status_changed_via == "risk scan"
    assert "contractor_full_time_direction" in {c.rule_code for c in report.resolved}
    # The condition returning later opens a new flag; the resolved one stays in history.
    Assignment.objects.filter(pk=assignment.pk).update(weekly_hours=Decimal("40"))
    risk_scan_run(today=TODAY)
    assert RiskFlag.objects.filter(worker=worker, rule_code="contractor_full_time_direction").count() == 2


def test_dismissed_flag_stays_dismissed_until_evidence_changes():
    worker, assignment = contractor_directed_full_time()
    risk_scan_run(today=TODAY)
    flag = current(worker, "contractor_full_time_direction")
    risk_flag_dismiss(actor=make_actor(worker.client), flag=flag, reason="Contract under renegotiation")
    risk_scan_run(today=TODAY)
    flag.refresh_from_db()
    assert flag.status == "dismissed" and flag.status_reason == "Contract under renegotiation"
    Assignment.objects.filter(pk=assignment.pk).update(weekly_hours=Decimal("45"))
    report = risk_scan_run(today=TODAY)
    flag.refresh_from_db()
    assert flag.status == "open" and "evidence changed" in flag.status_reason
    assert flag.evidence["facts"]["weekly_hours"] == 45
    assert "45 h/week" in report.still_open[0].summary  # what the scan saw, not the stored summary
    assert [c.rule_code for c in report.reopened] == ["contractor_full_time_direction"]
    assert RiskFlag.objects.filter(worker=worker, rule_code="contractor_full_time_direction").count() == 1


def test_full_scans_are_recorded_and_worker_scans_are_not():
    worker, _ = contractor_directed_full_time()
    risk_scan_run(today=TODAY)
    risk_scan_run(today=TODAY)
    first_run, second_run = RiskScanRun.objects.order_by("finished_at")
    assert (first_run.scope, first_run.as_of, first_run.workers, first_run.opened) == ("full", TODAY, 1, 1)
    assert (second_run.opened, second_run.still_open, second_run.resolved) == (0, 1, 0)
    risk_scan_run(worker_ids=[worker.id], today=TODAY)
    assert RiskScanRun.objects.count() == 2


def test_worker_scan_touches_only_that_worker():
    first, _ = contractor_directed_full_time()
    second, _ = contractor_directed_full_time()
    report = risk_scan_run(worker_ids=[first.id], today=TODAY)
    assert report.workers == 1
    assert RiskFlag.objects.filter(worker=first).exists()
    assert not RiskFlag.objects.filter(worker=second).exists()


def test_re_evaluating_one_record_re_evaluates_the_same_persons_other_records():
    """The person works for Acme through one provider; a new record places them with Globex too.
    Re-evaluating the new record (what a change to it triggers) also flags the Acme record, whose
    own rows did not change."""
    acme_record, _ = contractor_directed_full_time(work_email="sam@example.test")
    globex_record, _ = contractor_directed_full_time(work_email="Sam@Example.test")
    bystander, _ = contractor_directed_full_time()
    report = risk_scan_run(worker_ids=[globex_record.id], today=TODAY)
    assert report.workers == 2
    evidence = current(acme_record, "not_dedicated").evidence
    assert evidence["facts"]["other_clients_count"] == 1
    # Acme's flag must not name the other client: that is another tenant's business.
    assert globex_record.client.name not in str(evidence)
    assert current(globex_record, "not_dedicated")
    assert not RiskFlag.objects.filter(worker=bystander).exists()


def test_german_placement_17_months_in_warns_and_provider_change_does_not_reset():
    client = ClientFactory()
    old_provider, new_provider = ProviderFactory(), ProviderFactory()
    old_record = WorkerFactory(
        client=client,
        provider=old_provider,
        work_email="jonas@example.test",
        status="offboarded",
        start_date=dt.date(2025, 1, 1),
        exit_date=dt.date(2025, 6, 30),
    )
    new_record = WorkerFactory(
        client=client, provider=new_provider, work_email="Jonas@Example.test", start_date=dt.date(2025, 7, 1)
    )
    AssignmentFactory(worker=old_record, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 6, 30), status="ended")
    current_assignment = AssignmentFactory(worker=new_record, starts_on=dt.date(2025, 7, 1))
    entity = licensed_entity(new_provider)
    EmploymentContractFactory(worker=new_record, legal_entity=entity, starts_on=dt.date(2025, 7, 1))
    risk_scan_run(today=TODAY)  # 17 months after 1 Jan 2025
    flag = current(new_record, "tenure_cap_approaching")
    assert flag.assignment == current_assignment
    assert flag.evidence["facts"]["counted_since"] == "2025-01-01"
    assert flag.evidence["facts"]["cap_date"] == "2026-07-01"
    assert "AÜG §1(1b)" in flag.evidence["sources"][0]
    assert not RiskFlag.objects.filter(worker=new_record, rule_code="tenure_cap_exceeded").exists()


def _populate(count, client, provider):
    for _ in range(count):
        contractor_directed_full_time(client=client, provider=provider)


def test_full_scan_query_count_does_not_grow_with_workers():
    client, provider = ClientFactory(), ProviderFactory()
    _populate(5, client, provider)
    with CaptureQueriesContext(connection) as few:
        risk_scan_run(today=TODAY)
    RiskFlag.objects.all().delete()
    _populate(45, client, provider)
    with CaptureQueriesContext(connection) as many:
        report = risk_scan_run(today=TODAY)
    assert report.workers == 50 and len(report.opened) >= 50
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as rerun:
        risk_scan_run(today=TODAY)
    assert len(rerun) <= len(few)


@pytest.mark.django_db(transaction=True)
def test_two_scans_never_run_at_once():
    worker, _ = contractor_directed_full_time()
    holding, release = threading.Event(), threading.Event()
    errors = []

    def hold_the_lock(exclusive):
        try:
            with scan_lock(exclusive=exclusive):
                holding.set()
                release.wait(10)
        except Exception as error:  # pragma: no cover - surfaced below
            errors.append(error)
        finally:
            connection.close()

    # A full scan in another connection excludes both a full scan and a worker re-evaluation.
    thread = threading.Thread(target=hold_the_lock, args=(True,))
    thread.start()
    assert holding.wait(10)
    with pytest.raises(ScanAlreadyRunning):
        risk_scan_run(today=TODAY)
    with pytest.raises(ScanAlreadyRunning):
        risk_scan_run(worker_ids=[worker.id], today=TODAY)
    assert not RiskFlag.objects.exists()
    release.set()
    thread.join(10)

    # A worker re-evaluation elsewhere excludes a full scan but not another re-evaluation.
    holding.clear(), release.clear()
    thread = threading.Thread(target=hold_the_lock, args=(False,))
    thread.start()
    assert holding.wait(10)
    with pytest.raises(ScanAlreadyRunning):
        risk_scan_run(today=TODAY)
    assert risk_scan_run(worker_ids=[worker.id], today=TODAY).workers == 1
    release.set()
    thread.join(10)
    assert not errors
    assert risk_scan_run(today=TODAY).workers == 1


def test_a_scan_killed_mid_way_leaves_whole_batches_and_no_duplicates():
    """Batches commit one by one: a crash in the second batch keeps the first batch's flags and
    none of the second's; the rerun completes without duplicating the first batch's flags."""
    first, _ = contractor_directed_full_time()
    second, _ = contractor_directed_full_time()
    ordered = sorted([first, second], key=lambda w: str(w.id))
    real_bulk_create = RiskFlag.objects.bulk_create
    calls = []

    def crash_on_second_batch(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_bulk_create(objs, *args, **kwargs)

    with (
        mock.patch.object(RiskFlag.objects, "bulk_create", side_effect=crash_on_second_batch),
        pytest.raises(RuntimeError),
    ):
        risk_scan_run(today=TODAY, batch_size=1)
    assert RiskFlag.objects.filter(worker=ordered[0]).exists()
    assert not RiskFlag.objects.filter(worker=ordered[1]).exists()
    count_first = RiskFlag.objects.filter(worker=ordered[0]).count()
    report = risk_scan_run(today=TODAY, batch_size=1)
    assert RiskFlag.objects.filter(worker=ordered[0]).count() == count_first
    assert {c.worker_id for c in report.opened} == {ordered[1].id}


def test_approaching_cap_is_superseded_when_the_cap_passes():
    worker = WorkerFactory(start_date=dt.date(2025, 1, 1))
    entity = licensed_entity(worker.provider)
    EmploymentContractFactory(worker=worker, legal_entity=entity, starts_on=dt.date(2025, 1, 1))
    AssignmentFactory(worker=worker, starts_on=dt.date(2025, 1, 1))
    risk_scan_run(today=dt.date(2026, 6, 1))
    warning = current(worker, "tenure_cap_approaching")
    risk_scan_run(today=dt.date(2026, 7, 1))
    warning.refresh_from_db()
    assert warning.status == "resolved" and "superseded by tenure_cap_exceeded" in warning.status_reason
    assert current(worker, "tenure_cap_exceeded").severity == "high"


def test_provider_change_with_a_new_work_email_keeps_the_tenure_clock_by_person():
    """The new provider issues a new e-mail; the new record names the one it continues (through the
    worker service, as the API's `continues_worker` does), so the German count runs on from 2025-01-01."""

    client = ClientFactory()
    old_provider, new_provider = ProviderFactory(), ProviderFactory()
    old_record = WorkerFactory(
        client=client,
        provider=old_provider,
        work_email="jonas@old-eor.test",
        status="offboarded",
        start_date=dt.date(2025, 1, 1),
        exit_date=dt.date(2025, 6, 30),
    )
    AssignmentFactory(worker=old_record, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 6, 30), status="ended")
    actor = make_actor(client, "client_admin")
    new_record = worker_create(
        actor=actor,
        first_name="Jonas",
        last_name="Weber",
        work_email="jonas.weber@new-eor.test",
        country="DE",
        provider=new_provider,
        start_date=dt.date(2025, 7, 1),
        continues_worker=old_record,
    )
    assert new_record.person_id == old_record.person_id
    AssignmentFactory(worker=new_record, starts_on=dt.date(2025, 7, 1))
    EmploymentContractFactory(
        worker=new_record, legal_entity=licensed_entity(new_provider), starts_on=dt.date(2025, 7, 1)
    )
    risk_scan_run(worker_ids=[new_record.id], today=dt.date(2026, 7, 1))
    flag = current(new_record, "tenure_cap_exceeded")
    assert flag.evidence["facts"]["counted_since"] == "2025-01-01"
    # Without the link the new record is a new person and its own count starts on 1 Jul 2025.
    unlinked = WorkerFactory(client=client, provider=new_provider, work_email="someone@new-eor.test", country="DE")
    AssignmentFactory(worker=unlinked, starts_on=dt.date(2025, 7, 1))
    risk_scan_run(worker_ids=[unlinked.id], today=dt.date(2026, 7, 1))
    assert not RiskFlag.objects.filter(worker=unlinked, rule_code="tenure_cap_exceeded").exists()
