"""The reference client in docs/hris_sync.py, run against a live server: an HRIS export synced by
bulk upsert, one field changed and re-synced (exactly one `updated`, one event), a deletion
followed, and a webhook delivery verified with `standardwebhooks`."""

import csv
import importlib.util
import json
from pathlib import Path

import pytest

from accounts.services import api_key_create
from accounts.tests.factories import ClientFactory
from integrations import services
from integrations.models import WebhookEvent
from integrations.tests.factories import WebhookEndpointFactory
from providers.tests.factories import ProviderFactory
from workers.models import Worker

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "hris_sync.py"
COLUMNS = ["external_id", "first_name", "last_name", "work_email", "country", "role_title", "client"]


def _load_client():
    spec = importlib.util.spec_from_file_location("hris_sync", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(export: Path, rows: list[dict]) -> None:
    with (export / "workers.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def setup(transactional_db, live_server, tmp_path, receiver):
    provider, client = ProviderFactory(), ClientFactory()
    _, key = api_key_create(organization=provider.organization, name="HRIS", scopes=["workers:write"])
    endpoint = WebhookEndpointFactory(organization=provider.organization, url=receiver.url)
    rows = [
        {
            "external_id": f"HR-{n}",
            "first_name": f"Person{n}",
            "last_name": "Example",
            "work_email": f"p{n}@example.test",
            "country": "DE",
            "role_title": "Engineer",
            "client": str(client.id),
        }
        for n in range(3)
    ]
    return {"url": live_server.url, "key": key, "export": tmp_path, "rows": rows, "endpoint": endpoint}


def test_the_reference_client_syncs_follows_deletions_and_verifies_webhooks(setup, receiver, capsys):
    hris = _load_client()
    _write(setup["export"], setup["rows"])
    assert hris.main(["sync", "--base-url", setup["url"], "--key", setup["key"], "--export", str(setup["export"])]) == 0
    assert json.loads(capsys.readouterr().out) == {"workers": {"create": 3, "update": 0, "unchanged": 0, "error": 0}}
    assert Worker.objects.filter(external_id__startswith="HR-").count() == 3

    # One field changes in the HRIS: exactly one item updated, the others unchanged, one event.
    before = WebhookEvent.objects.filter(type="worker.changed").count()
    setup["rows"][1]["role_title"] = "Staff engineer"
    _write(setup["export"], setup["rows"])
    report = hris.sync(base_url=setup["url"], key=setup["key"], export=setup["export"])
    assert report["workers"]["counts"] == {"create": 0, "update": 1, "unchanged": 2, "error": 0}
    [updated] = [r for r in report["workers"]["results"] if r["action"] == "update"]
    assert updated["key"] == "HR-1"
    assert WebhookEvent.objects.filter(type="worker.changed").count() == before + 1

    # The same chunk sent again with the same run id (a retry) is answered from the first run.
    replay = hris.sync(base_url=setup["url"], key=setup["key"], export=setup["export"], run_id="run-1")
    again = hris.sync(base_url=setup["url"], key=setup["key"], export=setup["export"], run_id="run-1")
    assert again == replay

    # A worker deleted in Outstaff (here: by the admin, any path does) reaches the client.
    gone = Worker.objects.get(external_id="HR-2")
    gone_id = str(gone.id)
    since = gone.updated_at.isoformat().replace("+00:00", "Z")
    gone.delete()
    [tombstone] = hris.deletions(base_url=setup["url"], key=setup["key"], since=since)
    assert (tombstone["resource_type"], tombstone["id"], tombstone["external_id"]) == ("workers", gone_id, "HR-2")

    # Webhook deliveries verify with the endpoint's secret, and only with it.
    services.webhook_deliveries_dispatch()
    requests = receiver.requests
    assert requests
    events = [
        hris.verify_webhook(secret=setup["endpoint"].secret, headers=r["headers"], body=r["body"].encode())
        for r in requests
    ]
    assert all(events) and {"worker.changed", "worker.deleted"} <= {e["type"] for e in events}
    wrong = hris.verify_webhook(secret="whsec_" + "A" * 43 + "=", headers=requests[0]["headers"], body=b"{}")
    assert wrong is None
