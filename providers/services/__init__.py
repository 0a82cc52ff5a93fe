"""Writes of the provider side (DESIGN §3). Every function is atomic, takes keyword arguments only,
validates (full_clean, or the set-based checks of `providers.bulk` for many rows) and tells the
higher apps about changed workers with `notify_workers_changed`; an update that changes nothing
saves nothing and announces nothing (`outstaff.model_update`).

Providers write their own profile, legal entities, contracts, payroll and compliance; clients only
read (their role has no write family for these, and every service re-checks the organization).
Callers import from here: `from providers import services; services.contract_create(...)`."""

from .base import BULK_LIMIT, StaleEdit, notify_workers_changed, plan_changes
from .compliance import (
    compliance_item_create,
    compliance_item_update,
    compliance_items_expire,
    compliance_items_upsert,
)
from .contracts import CONTRACT_FIELDS, contract_create, contract_update, contracts_upsert, employment_contract_record
from .digest import compliance_digest_send
from .legal_entities import ENTITY_FIELDS, legal_entity_create, legal_entity_update
from .payroll_entries import (
    payroll_entries_set_status,
    payroll_entries_upsert,
    payroll_entry_create,
    payroll_entry_update,
)
from .payroll_runs import payroll_run_create, payroll_run_update, payroll_runs_refresh_status
from .profile import provider_update

__all__ = [
    "BULK_LIMIT",
    "CONTRACT_FIELDS",
    "ENTITY_FIELDS",
    "StaleEdit",
    "compliance_digest_send",
    "compliance_item_create",
    "compliance_item_update",
    "compliance_items_expire",
    "compliance_items_upsert",
    "contract_create",
    "contract_update",
    "contracts_upsert",
    "employment_contract_record",
    "legal_entity_create",
    "legal_entity_update",
    "notify_workers_changed",
    "plan_changes",
    "payroll_entries_set_status",
    "payroll_entries_upsert",
    "payroll_entry_create",
    "payroll_entry_update",
    "payroll_run_create",
    "payroll_run_update",
    "payroll_runs_refresh_status",
    "provider_update",
]
