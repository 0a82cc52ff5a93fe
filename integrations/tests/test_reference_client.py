"""The reference client in docs/hris_sync.py, run against a live server: an HRIS export of workers,
contracts and assignments (three CSV files) synced by bulk upsert with idempotency keys, one field
changed and re-synced (exactly one `updated` item, one event, every other item `unchanged`),
deletions followed as tombstones, and webhook deliveries verified with `standardwebhooks`."""

import csv
import importlib.util
import json
from pathlib import Path

import pytest

from accounts.services import api_key_create
from accounts.tests.factories import ClientFactory
from assignments.models import Assignment
from assignments.tests.conftest import pass_screening
from assignments.tests.factories import TeamFactory
from integrations import services
from integrations.models import WebhookEvent
from integrations.tests.factories import WebhookEndpointFactory
from providers.models import EmploymentContract
from providers.tests.factories import LegalEntityFactory, ProviderFactory
from workers.models import Worker

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "hris_sync.py"
SIZE = 3


def _load_client():
    spec = importlib.util.spec_from_file_location("hris_sync", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(export: Path, resource: str, rows: list[dict]) -> None:
    with (export / f"{resource}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _export(client) -> dict[str, list[dict]]:
    return {
        "workers": [
            {
                "external_id": f"HR-{n}",
                "first_name": f"Person{n}",
                "last_name": "Example",
                "work_email": f"p{n}@example.test",
                "country": "DE",
                "role_title": "Engineer",
                "start_date": "2026-01-05",
                "client": str(client.id),
            }
            for n in range(SIZE)
        ],
        "contracts": [
            {
                "external_id": f"C-{n}",
                "worker_external_id": f"HR-{n}",
                "legal_entity_country": "DE",
                "contract_type": "employment",
                "engagement_model": "outstaffing",
                "signed_on": "2025-12-20",
                "starts_on": "2026-01-05",
                "weekly_hours": "40",
            }
            for n in range(SIZE)
        ],
        "assignments": [
            {
                "external_id": f"A-{n}",
                "worker_external_id": f"HR-{n}",
                "team_external_id": "T-1",
                "role": "Engineer",
                "starts_on": "2026-01-05",
                "weekly_hours": "40",
            }
            for n in range(SIZE)
        ],
    }


def _write_all(export: Path, rows: dict) -> None:
    for resource, resource_rows in rows.items():
        _write(export, resource, resource_rows)


@pytest.fixture
def setup(transactional_db, live_server, tmp_path, receiver):
    provider, client = ProviderFactory(), ClientFactory()
    LegalEntityFactory(provider=provider, country="DE")
    TeamFactory(client=client, external_id="T-1")
    _, key = api_key_create(
        organization=provider.organization, name="HRIS", scopes=["workers:write", "contracts:write"]
    )
    _, client_key = api_key_create(organization=client, name="HRIS", scopes=["assignments:write"])
    endpoint = WebhookEndpointFactory(organization=provider.organization, url=receiver.url)
    return {
        "url": live_server.url,
        "key": key,
        "client_key": client_key,
        "export": tmp_path,
        "rows": _export(client),
        "endpoint": endpoint,
    }


def _args(setup, *extra) -> list[str]:
    return [
        "--base-url",
        setup["url"],
        "--key",
        setup["key"],
        "--client-key",
        setup["client_key"],
        "--export",
        str(setup["export"]),
        *extra,
    ]


def _counts(report) -> dict:
    return {resource: r["counts"] for resource, r in report.items()}


def test_the_reference_client_syncs_follows_deletions_and_verifies_webhooks(setup, receiver, capsys):
    hris = _load_client()
    # The first night: workers only; the client screens and passes them (the onboarding gate
    # refuses assignments otherwise); then the whole export.
    _write(setup["export"], "workers", setup["rows"]["workers"])
    assert hris.main(["sync", *_args(setup)]) == 0
    assert json.loads(capsys.readouterr().out) == {"workers": {"create": 3, "update": 0, "unchanged": 0, "error": 0}}
    for worker in Worker.objects.filter(external_id__startswith="HR-"):
        pass_screening(worker)
    _write_all(setup["export"], setup["rows"])
    assert hris.main(["sync", *_args(setup)]) == 0
    nothing, three = (
        {"create": 0, "update": 0, "unchanged": 3, "error": 0},
        {"create": 3, "update": 0, "unchanged": 0, "error": 0},
    )
    assert json.loads(capsys.readouterr().out) == {"workers": nothing, "contracts": three, "assignments": three}
    assert EmploymentContract.objects.filter(external_id__startswith="C-").count() == 3
    assert Assignment.objects.filter(external_id__startswith="A-").count() == 3

    # One field changes in the HRIS: exactly one item updated, every other unchanged, one event.
    before = WebhookEvent.objects.count()
    setup["rows"]["contracts"][1]["weekly_hours"] = "32"
    _write_all(setup["export"], setup["rows"])
    report = hris.sync(base_url=setup["url"], key=setup["key"], client_key=setup["client_key"], export=setup["export"])
    assert _counts(report) == {
        "workers": nothing,
        "contracts": {"create": 0, "update": 1, "unchanged": 2, "error": 0},
        "assignments": nothing,
    }
    [updated] = [r for r in report["contracts"]["results"] if r["action"] == "update"]
    assert updated["key"] == "C-1" and set(updated["changes"]) == {"weekly_hours"}
    [event] = WebhookEvent.objects.order_by("created_at")[before:]
    assert event.type == "contract.changed" and event.payload["data"]["changed_fields"] == ["weekly_hours"]

    # The same chunks sent again with the same run id (a retry) are answered from the first run.
    kwargs = {"base_url": setup["url"], "key": setup["key"], "client_key": setup["client_key"]}
    replay = hris.sync(**kwargs, export=setup["export"], run_id="run-1")
    assert hris.sync(**kwargs, export=setup["export"], run_id="run-1") == replay

    # Rows deleted in Outstaff (any path: here the ORM, as the admin or a cascade would) reach the client.
    gone_worker = Worker.objects.get(external_id="HR-2")
    since = gone_worker.updated_at.isoformat().replace("+00:00", "Z")
    gone = {
        ("assignments", str(Assignment.objects.get(external_id="A-0").pk), "A-0"),
        ("contracts", str(EmploymentContract.objects.get(external_id="C-0").pk), "C-0"),
    }
    Assignment.objects.filter(external_id="A-0").delete()
    EmploymentContract.objects.filter(external_id="C-0").delete()
    tombstones = hris.deletions(base_url=setup["url"], key=setup["key"], since=since)
    assert {("contracts", str(t["id"]), t["external_id"]) for t in tombstones if t["resource_type"] == "contracts"} == {
        g for g in gone if g[0] == "contracts"
    }
    client_side = hris.deletions(
        base_url=setup["url"], key=setup["client_key"], since=since, resource_type="assignments"
    )
    assert {(t["resource_type"], t["id"], t["external_id"]) for t in client_side} == {
        g for g in gone if g[0] == "assignments"
    }
    assert hris.main(["deletions", *_args(setup, "--since", since)]) == 0
    assert {t["external_id"] for t in json.loads(capsys.readouterr().out)} >= {"C-0"}

    # Webhook deliveries verify with the endpoint's secret, and only with it.
    services.webhook_deliveries_dispatch()
    requests = receiver.requests
    assert requests
    events = [
        hris.verify_webhook(secret=setup["endpoint"].secret, headers=r["headers"], body=r["body"].encode())
        for r in requests
    ]
    assert all(events)
    assert {"worker.changed", "contract.changed", "assignment.changed", "contract.deleted"} <= {
        e["type"] for e in events
    }
    wrong = hris.verify_webhook(secret="whsec_" + "A" * 43 + "=", headers=requests[0]["headers"], body=b"{}")
    assert wrong is None
