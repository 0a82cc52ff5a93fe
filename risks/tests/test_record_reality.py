"""Record reality, then flag it (DESIGN §6, issue 8 point 5): the same risky contract — engagement
model not stated, a contractor at full-time client-directed hours, unsigned — is accepted on every
path (POST, PATCH, bulk, hire) and the scan flags it on each worker."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import ClientFactory
from assignments.tests.factories import AssignmentFactory
from providers.models import EmploymentContract
from providers.tests.factories import EmploymentContractFactory, LegalEntityFactory, ProviderFactory
from risks.models import RiskFlag
from risks.services import risk_scan_run
from screening.tests.conftest import World
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

RISKY = {"contract_type": "contractor", "weekly_hours": "40.0", "starts_on": "2026-01-01"}
EXPECTED = {"engagement_model_unspecified", "contractor_full_time_direction", "employment_contract_missing"}


def _directed_full_time(worker):
    AssignmentFactory(worker=worker, directed_by="client", weekly_hours=Decimal(40), starts_on=dt.date(2026, 2, 1))


def _flags(worker) -> set[str]:
    return set(RiskFlag.objects.filter(worker=worker).exclude(status="resolved").values_list("rule_code", flat=True))


def test_the_same_risky_contract_is_accepted_on_every_path_and_flagged(api_key_client):
    client, provider = ClientFactory(), ProviderFactory()
    entity = LegalEntityFactory(provider=provider, country="DE")
    by_post, by_patch, by_bulk = (WorkerFactory(client=client, provider=provider, country="DE") for _ in range(3))
    by_bulk.external_id = "HR-BULK"
    by_bulk.save()
    api = api_key_client(provider.organization, ["contracts:write"])

    # POST: no engagement model stated at all.
    posted = api.post(
        "/api/v1/contracts/", {**RISKY, "worker": str(by_post.id), "legal_entity": str(entity.id)}, format="json"
    )
    assert posted.status_code == 201, posted.json()
    assert posted.json()["engagement_model"] == "unspecified" and posted.json()["signed_on"] is None

    # PATCH: a signed outstaffing employment contract becomes what the HR system now holds.
    contract = EmploymentContractFactory(worker=by_patch, legal_entity=entity, signed_on=dt.date(2025, 12, 1))
    patched = api.patch(
        f"/api/v1/contracts/{contract.id}/",
        {**RISKY, "engagement_model": "unspecified", "signed_on": None},
        format="json",
    )
    assert patched.status_code == 200, patched.json()

    # Bulk: the HRIS sync.
    bulk = api.post(
        "/api/v1/contracts/bulk/",
        {
            "items": [
                {
                    **RISKY,
                    "external_id": "C-1",
                    "engagement_model": "unspecified",
                    "worker_external_id": "HR-BULK",
                    "legal_entity_country": "DE",
                }
            ]
        },
        format="json",
    )
    assert bulk.json()["results"][0]["action"] == "create", bulk.json()

    # Hire: a client hiring a screened candidate on the same terms.
    world = World()
    world.passed()
    world.check_all()
    hired = world.hire(
        contract_type="contractor", weekly_hours=Decimal(40), engagement_model="unspecified", signed_on=None
    )

    workers = [by_post, by_patch, by_bulk, hired]
    for worker in workers:
        contract = EmploymentContract.objects.get(worker=worker)
        assert (contract.contract_type, contract.engagement_model, contract.signed_on) == (
            "contractor",
            "unspecified",
            None,
        )
        _directed_full_time(worker)
    risk_scan_run(worker_ids=[w.id for w in workers])
    for worker in workers:
        assert _flags(worker) >= EXPECTED, (worker, _flags(worker))
