import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.tests.factories import make_actor
from providers import bulk, csv_import, services
from providers.models import PayrollEntry
from providers.payroll_rules import payroll_transition_errors
from providers.tests.factories import (
    ComplianceItemFactory,
    EmploymentContractFactory,
    PayrollEntryFactory,
    PayrollRunFactory,
)
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new", "failure_reason", "reason", "fields"),
    [
        ("scheduled", "paid", "", "", set()),
        ("scheduled", "failed", "", "", {"failure_reason"}),
        ("scheduled", "failed", "Closed", "", set()),
        ("paid", "processing", "", "", {"reason"}),
        ("paid", "processing", "", "Recalled", set()),
        ("paid", "failed", "Returned by bank", "", set()),
        ("failed", "scheduled", "", "", {"reason"}),
        ("processing", "on_hold", "", "", set()),
        (None, "failed", "", "", {"failure_reason"}),
    ],
)
def test_payroll_transition_rules(old, new, failure_reason, reason, fields):
    assert set(payroll_transition_errors(old=old, new=new, failure_reason=failure_reason, reason=reason)) == fields


def test_run_status_follows_its_entries(tenants):
    actor = make_actor(tenants["provider_a"].organization)
    run = PayrollRunFactory(provider=tenants["provider_a"])
    other = WorkerFactory(provider=tenants["provider_a"], client=tenants["client_a"])
    first, second = PayrollEntryFactory(run=run, worker=tenants["mine"]), PayrollEntryFactory(run=run, worker=other)
    services.payroll_entry_update(actor=actor, instance=first, status="paid")
    run.refresh_from_db()
    assert run.status == "processing"
    services.payroll_entry_update(actor=actor, instance=second, status="failed", failure_reason="x")
    run.refresh_from_db()
    assert run.status == "completed"


def test_leaving_paid_clears_paid_at_and_leaving_failed_clears_reason(tenants):
    actor = make_actor(tenants["provider_a"].organization)
    entry = PayrollEntryFactory(worker=tenants["mine"])
    entry = services.payroll_entry_update(actor=actor, instance=entry, status="failed", failure_reason="Closed")
    entry = services.payroll_entry_update(actor=actor, instance=entry, status="paid")
    assert entry.failure_reason == "" and entry.paid_at is not None
    entry = services.payroll_entry_update(actor=actor, instance=entry, status="on_hold", reason="Query from bank")
    assert entry.paid_at is None and entry.status_reason == "Query from bank"


def test_another_provider_cannot_use_services_on_foreign_rows(tenants):
    intruder = make_actor(tenants["provider_b"].organization)
    entry = PayrollEntryFactory(worker=tenants["mine"])
    contract = EmploymentContractFactory(worker=tenants["mine"])
    item = ComplianceItemFactory(worker=tenants["mine"])
    with pytest.raises(PermissionDenied):
        services.payroll_entry_update(actor=intruder, instance=entry, status="paid")
    with pytest.raises(PermissionDenied):
        services.contract_update(actor=intruder, instance=contract, weekly_hours=10)
    with pytest.raises(PermissionDenied):
        services.compliance_item_update(actor=intruder, instance=item, status="verified")
    with pytest.raises(ValidationError):
        services.payroll_entries_set_status(actor=intruder, entry_ids=[entry.id], status="paid")
    entry.refresh_from_db()
    assert entry.status == "scheduled"


def test_clients_cannot_write_through_services(tenants):
    client_actor = make_actor(tenants["client_a"])
    with pytest.raises(PermissionDenied):
        services.payroll_run_create(
            actor=client_actor, country="DE", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31)
        )
    with pytest.raises(PermissionDenied):
        services.payroll_entries_upsert(actor=client_actor, items=[{"external_id": "x"}])


def test_contract_update_keeps_rules(tenants):
    actor = make_actor(tenants["provider_a"].organization)
    contract = EmploymentContractFactory(worker=tenants["mine"])
    with pytest.raises(ValidationError) as error:
        services.contract_update(actor=actor, instance=contract, legal_entity=tenants["entity_b"])
    assert "legal_entity" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.contract_update(actor=actor, instance=contract, worker=tenants["theirs"])
    assert "worker" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.contract_update(
            actor=actor, instance=contract, signed_on=dt.date(2027, 1, 1), ends_on=dt.date(2026, 6, 1)
        )
    assert "signed_on" in error.value.message_dict


def test_compliance_update_cannot_change_kind_or_worker(tenants):
    actor = make_actor(tenants["provider_a"].organization)
    item = ComplianceItemFactory(worker=tenants["mine"], kind="right_to_work")
    item = services.compliance_item_update(actor=actor, instance=item, kind="ip_assignment", worker=tenants["theirs"])
    assert item.kind == "right_to_work" and item.worker == tenants["mine"]


def test_planner_rejects_the_same_entry_twice_in_one_batch(tenants):
    run = PayrollRunFactory(provider=tenants["provider_a"], country="DE", period_start=dt.date(2026, 10, 1))
    PayrollEntryFactory(run=run, worker=tenants["mine"])
    rows = [
        {"worker_external_id": "W-1", "period_start": "2026-10-01", "status": "paid"},
        {"worker_external_id": "W-1", "period_start": "2026-10-01", "status": "failed", "failure_reason": "x"},
    ]
    plan = bulk.plan_payroll_entries(provider_id=tenants["provider_a"].pk, rows=rows)
    assert [r.action for r in plan.results] == ["update", "error"]
    assert "row" in plan.results[1].errors


def test_csv_row_with_extra_cells_is_an_error(tenants):
    run = PayrollRunFactory(provider=tenants["provider_a"], country="DE", period_start=dt.date(2026, 10, 1))
    entry = PayrollEntryFactory(run=run, worker=tenants["mine"])
    actor = make_actor(tenants["provider_a"].organization)
    content = "worker_external_id,period_start,status\nW-1,2026-10-01,paid,surprise\n"
    job = csv_import.csv_import_create(actor=actor, kind="payroll_entries", file_name="x.csv", content=content)
    job = csv_import.csv_import_check(import_id=job.pk)
    assert job.error_rows == 1 and "row" in job.report[0]["errors"]
    csv_import.csv_import_apply(actor=actor, import_id=job.pk, good_rows_only=True)
    assert PayrollEntry.objects.get(id=entry.id).status == "scheduled"


def test_legal_entity_licence_expiry_needs_a_number(tenants):
    actor = make_actor(tenants["provider_a"].organization)
    with pytest.raises(ValidationError) as error:
        services.legal_entity_create(
            actor=actor,
            country="DE",
            name="X",
            registration_number="1",
            staffing_licence_expires_on=dt.date(2027, 1, 1),
        )
    assert "staffing_licence_number" in error.value.message_dict
