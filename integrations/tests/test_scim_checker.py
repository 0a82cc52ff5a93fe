"""SCIM 2.0 checked by an independent implementation: `scim2-tester` drives a live server over
HTTP (discovery, create, read with attributes, list, filter, replace, PATCH add/replace/remove,
delete) and must report no failure."""

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from accounts.services import api_key_create
from accounts.tests.factories import ClientFactory
from providers.tests.factories import ProviderFactory
from workers.choices import WorkerStatus
from workers.models import Worker
from workers.tests.factories import WorkerFactory

FAILED = {Status.DEVIATION, Status.ERROR, Status.CRITICAL}


@pytest.fixture
def scim_client(transactional_db, live_server):
    """A provider that already employs a worker for one client (the `organization` the checker will
    pick), and an HTTP SCIM client authenticated with the provider's `scim:write` key."""
    provider = ProviderFactory()
    WorkerFactory(provider=provider, client=ClientFactory(name="Acme Robotics"))
    _, raw_key = api_key_create(organization=provider.organization, name="IdP", scopes=["scim:write"])
    http = httpx2.Client(
        base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {raw_key}"}, timeout=30
    )
    client = SyncSCIMClient(http)
    client.discover()
    yield client, provider
    http.close()


def test_the_independent_scim_checker_reports_no_failure(scim_client):
    client, provider = scim_client
    results = check_server(client)
    failures = [r for r in results if r.status in FAILED]
    assert not failures, "\n".join(f"{r.title}: {r.reason}" for r in failures)
    passed = {r.title for r in results if r.status == Status.SUCCESS}
    # Not a vacuous pass: provisioning, reading, changing and deprovisioning were all exercised.
    for check in ("object_creation", "object_query", "object_replacement", "object_deletion"):
        assert any(check in title for title in passed), (check, sorted(passed))
    assert len(passed) >= 20
    # What the checker provisioned are real workers of this provider, and its deletes offboarded them.
    created = Worker.objects.filter(provider=provider, scim_identity__isnull=False)
    assert created.exists()
    assert created.filter(scim_identity__deprovisioned_at__isnull=False, status=WorkerStatus.OFFBOARDED).exists()
